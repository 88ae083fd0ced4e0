"""Train one autoencoder of the damped pendulum (book sizes) with one change and score its reconstructions.

    python tools/autoencoder_stage_trial.py cpae 0 authors '{"relative": true}'

A diagnostic of the autoencoder stage alone (no latent model): variant (standard | cpae), seed, a
base configuration (``book-2025``: the former book profile, lambda 0.01 and the plain decoder;
``authors``: lambda 1 and the authors' decoder), and JSON overrides (``relative``, ``warmup``,
``epochs``, ``weight``, ``minc``, ``resolution`` ...). Prints one JSON line: training seconds,
first and last loss, mean relative reconstruction error on 120 new test videos of 60 frames,
the ceiling (VPT of the reconstructions at 0.5), the smoothness ratio of the encoded test videos
and of the true states, and the latent states' standard deviation (collapse shows as ~1e-3).
Used to find where lambda = 1 collapses (see the CpAE chapters' deviations).
"""

import json
import sys
import time

import numpy as np
import torch

from latentdyn.cpae.data.videos import frame_pairs, generate_system_video
from latentdyn.cpae.data.windows import FrameWindows
from latentdyn.cpae.metrics import relative_frame_error, smoothness_ratio, valid_prediction_time
from latentdyn.cpae.models.autoencoder import ConvAutoencoder
from latentdyn.cpae.models.latent_maps import build_latent_map
from latentdyn.cpae.models.training import train_autoencoder
from latentdyn.runtime import seed_everything

variant, seed, config = sys.argv[1], int(sys.argv[2]), sys.argv[3]
extra = json.loads(sys.argv[4]) if len(sys.argv) > 4 else {}
system = extra.pop("system", "damped_pendulum")
torch.set_num_threads(1)
res = extra.pop("resolution", 32)
ntraj = extra.pop("num_trajectories", 64)
video = generate_system_video(
    system, num_trajectories=ntraj, num_frames=40, resolution=res, seed=seed, min_bar_pixels=2.5
)
# test videos: their own seed (10,000 + seed; the trials quoted in the chapters' history used these)
test = generate_system_video(
    system, num_trajectories=120, num_frames=60, resolution=res, seed=10_000 + seed, min_bar_pixels=2.5
)
train_frames = torch.from_numpy(video.frames[video.splits["train"]])
cfg = dict(
    relative=False,
    epochs=24,
    batch_size=32,
    learning_rate=3e-3,
    final_learning_rate=1e-3,
    weight=0.01,
    side=False,
    bn=False,
    minc=32,
    warmup=0,
)
if config not in ("authors", "book-2025"):
    raise SystemExit("configuration must be authors or book-2025")
if config == "authors":
    cfg.update(weight=1.0, side=True, bn=True, minc=8)
cfg.update(extra)
large = variant != "standard"
args = dict(
    filter_size=8 if large else 4,
    channels=(8, 16, 32),
    regularizer="continuity" if variant == "cpae" else "none",
    regularizer_weight=1.0,
    kernel_scale=10.0,
    decoder_batch_norm=cfg["bn"],
    decoder_min_channels=cfg["minc"],
    decoder_side_branches=cfg["side"],
)
latent_dim = 2 if system == "damped_pendulum" else 8
seed_everything(seed, 1)
windows = FrameWindows(train_frames, 2, 2)
model = ConvAutoencoder(windows.input_shape, latent_dim, **args)
gmap = build_latent_map("volume_preserving", latent_dim) if cfg["weight"] > 0 else None
t0 = time.perf_counter()
hist = train_autoencoder(
    model,
    windows,
    epochs=cfg["epochs"],
    batch_size=cfg["batch_size"],
    learning_rate=cfg["learning_rate"],
    final_learning_rate=cfg["final_learning_rate"],
    seed=seed,
    latent_map=gmap,
    prediction_weight=cfg["weight"],
    prediction_warmup=cfg["warmup"],
    relative_latent_error=cfg["relative"],
)
secs = time.perf_counter() - t0
reference = FrameWindows(train_frames).mean_input()
pairs = torch.from_numpy(frame_pairs(test.frames))
with torch.no_grad():
    z = torch.cat([model.encode(c) for c in pairs.reshape(-1, *pairs.shape[2:]).split(512)]).reshape(
        *pairs.shape[:2], -1
    )
    rec = torch.cat([model.decode(c) for c in z.reshape(-1, z.shape[-1]).split(512)]).reshape(pairs.shape)
err = relative_frame_error(rec, pairs, reference)
ceiling = valid_prediction_time(err[:, 1:], 0.5)
sm = np.mean([smoothness_ratio(t) for t in z])
true_sm = np.mean([smoothness_ratio(torch.from_numpy(s).float()) for s in test.states])
print(
    json.dumps(
        dict(
            variant=variant,
            seed=seed,
            config=config,
            extra=extra,
            seconds=round(secs, 1),
            loss_first=hist[0],
            loss_last=hist[-1],
            recon_error=float(err.mean()),
            ceiling=float(ceiling.mean()),
            smoothness=float(sm),
            true_smoothness=float(true_sm),
            latent_std=z.reshape(-1, z.shape[-1]).std(0).tolist(),
        )
    )
)
