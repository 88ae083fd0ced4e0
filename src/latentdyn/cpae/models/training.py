"""Training loops: autoencoder (with the authors' auxiliary latent-prediction objective), latent
dynamics alone (decoupled), and both jointly.

Every loop is deterministic given ``seed`` (mini-batch order of epoch ``e`` is drawn from
``(seed, e)``), and the long ones can resume: with ``checkpoint`` set, the model, the
optimizer and the loss history are written there after every epoch (atomically), and a
later call with the same path continues from the last completed epoch, giving the same
result as an uninterrupted run.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import torch
from torch import nn

from latentdyn.cpae.data.windows import FrameWindows
from latentdyn.cpae.models.autoencoder import ConvAutoencoder
from latentdyn.runtime import progress
from latentdyn.validation import check_choice, check_positive_float, check_positive_int, check_tensor


def _batches(count: int, batch_size: int, seed: int, epoch: int) -> list[torch.Tensor]:
    generator = torch.Generator().manual_seed(seed * 100_003 + epoch)
    order = torch.randperm(count, generator=generator)
    return list(order.split(batch_size))


def _load_checkpoint(
    path: Path | None, modules: dict[str, nn.Module], optimizer: torch.optim.Optimizer, scheduler=None
) -> tuple[int, list[float]]:
    if path is None or not Path(path).exists():
        return 0, []
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
        for name, module in modules.items():
            module.load_state_dict(state[name])
        optimizer.load_state_dict(state["optimizer"])
        if scheduler is not None:
            scheduler.load_state_dict(state["scheduler"])
        return int(state["epoch"]), list(state["history"])
    except Exception as error:  # a damaged checkpoint: start again rather than fail
        warnings.warn(f"ignoring unreadable checkpoint {path}: {error}", RuntimeWarning, stacklevel=3)
        return 0, []


def _save_checkpoint(
    path: Path | None,
    modules: dict[str, nn.Module],
    optimizer: torch.optim.Optimizer,
    epoch: int,
    history: list[float],
    scheduler=None,
) -> None:
    if path is None:
        return
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {name: module.state_dict() for name, module in modules.items()}
    state.update(optimizer=optimizer.state_dict(), epoch=epoch, history=history)
    if scheduler is not None:
        state["scheduler"] = scheduler.state_dict()
    temporary = path.with_suffix(".tmp")
    torch.save(state, temporary)
    os.replace(temporary, path)


PRECISIONS = ("fp32", "bf16", "auto")


def resolve_precision(precision: str, device: torch.device) -> str:
    """``"auto"`` -> ``"bf16"`` on CUDA, ``"fp32"`` elsewhere; ``"fp32"``/``"bf16"`` stay."""
    check_choice("precision", precision, PRECISIONS)
    if precision == "auto":
        return "bf16" if torch.device(device).type == "cuda" else "fp32"
    return precision


def autocast_context(device: torch.device, precision: str):
    """``torch.autocast`` to bfloat16 when ``precision`` resolves to ``"bf16"`` (weights and losses
    stay float32)."""
    enabled = resolve_precision(precision, device) == "bf16"
    return torch.autocast(device_type=torch.device(device).type, dtype=torch.bfloat16, enabled=enabled)


def prepare_for_speed(model: nn.Module, channels_last: bool) -> nn.Module:
    """Put a convolutional model in ``channels_last`` memory format (faster convolutions on GPUs)."""
    return model.to(memory_format=torch.channels_last) if channels_last else model


def autoencoder_loss(
    model: ConvAutoencoder,
    inputs: torch.Tensor,
    targets: torch.Tensor | None = None,
    latent_map: nn.Module | None = None,
    prediction_weight: float = 0.0,
    relative_latent_error: bool = False,
) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """The autoencoder stage's loss on one batch (without the filter penalty).

    Without a latent map: ``|D(E(X)) - X|^2``. With one (the authors' objective), ``Y`` being the
    input ``target_offset`` frames later:
    ``|D(E(X)) - X|^2 + prediction_weight * (2 |g(E(X)) - E(Y)|^2 + |D(g(E(X))) - Y|^2)``,
    every term a mean of squares. ``X`` and ``Y`` are encoded in one batch (and ``E(X)``,
    ``g(E(X))`` decoded in one), so that batch normalisation sees one set of statistics.

    With ``relative_latent_error`` the latent term is divided by the batch variance of ``E(Y)``
    (mean over latent coordinates). The plain term can be lowered by shrinking every latent
    state while the decoder scales them back up, a collapse that the reconstruction does not
    oppose; the relative term is unchanged by a rescaling of the latent space.

    Args:
        inputs: ``X``, ``(B, C, H, W)`` in [0, 1]; targets: ``Y``, the same shape, or ``None``.

    Returns:
        The loss and its terms (``reconstruction``, ``latent_prediction``, ``image_prediction``).
    """
    if latent_map is None or prediction_weight == 0.0:
        reconstruction = (model(inputs) - inputs).float().pow(2).mean()
        return reconstruction, {"reconstruction": reconstruction}
    if targets is None:
        raise ValueError("a latent map needs targets (inputs target_offset frames later)")
    count = len(inputs)
    latents = model.encode(torch.cat([inputs, targets])).float()
    latents_now, latents_later = latents[:count], latents[count:]
    predicted = latent_map(latents_now)
    decoded = model.decode(torch.cat([latents_now, predicted])).float()
    latent_error = (predicted - latents_later).pow(2).mean()
    if relative_latent_error:
        latent_error = latent_error / latents_later.var(dim=0).mean().clamp_min(1e-12)
    terms = {
        "reconstruction": (decoded[:count] - inputs).pow(2).mean(),
        "latent_prediction": latent_error,
        "image_prediction": (decoded[count:] - targets).pow(2).mean(),
    }
    loss = terms["reconstruction"] + prediction_weight * (2 * terms["latent_prediction"] + terms["image_prediction"])
    return loss, terms


def train_autoencoder(
    model: ConvAutoencoder,
    images: FrameWindows | torch.Tensor,
    *,
    epochs: int,
    batch_size: int,
    learning_rate: float,
    seed: int,
    final_learning_rate: float | None = None,
    latent_map: nn.Module | None = None,
    prediction_weight: float = 0.0,
    prediction_warmup: int = 0,
    relative_latent_error: bool = False,
    precision: str = "fp32",
    channels_last: bool = False,
    checkpoint: Path | None = None,
    checkpoint_every: int = 1,
    stop_after_epoch: int | None = None,
    description: str = "autoencoder",
) -> list[float]:
    """Fit ``model`` (and ``latent_map`` with it) on video windows; see :func:`autoencoder_loss`.

    Args:
        images: :class:`FrameWindows` (inputs assembled per batch, uint8 videos stay uint8; with a
            latent map their ``target_offset`` must be positive), or plain images ``(M, C, H, W)``
            in [0, 1] (reconstruction only).
        latent_map: the step map ``g`` of the authors' objective (trained here, used nowhere else),
            or ``None`` for reconstruction + penalty alone.
        prediction_weight: ``lambda`` of the auxiliary terms (ignored without a latent map).
        prediction_warmup: epochs of reconstruction alone before the auxiliary terms start (0:
            from the start). Early on the decoder cannot use the latent states yet, so the
            latent term alone shrinks them towards a point (a collapse that can take many epochs
            to undo, or last); the warm-up lets the reconstruction shape the latent space first.
        precision: ``"fp32"``, ``"bf16"`` (autocast of the forward passes; GPU fast path) or
            ``"auto"`` (bf16 on CUDA only).
        channels_last: convolutions in channels-last memory format (GPU fast path).

    Adam over the autoencoder's and the map's parameters; the learning rate decays
    exponentially from ``learning_rate`` to ``final_learning_rate`` (default: no decay) over
    the epochs, which also lets the batch-norm running statistics settle. The filter penalty
    (``model.weight_penalty()``) is added in float32. Returns the mean training loss of every
    epoch. ``stop_after_epoch`` ends the call early (used to test resuming from ``checkpoint``).
    """
    windows = (
        images
        if isinstance(images, FrameWindows)
        else FrameWindows.from_images(check_tensor("images", images, shape=(None, *model.image_shape)))
    )
    if windows.input_shape != model.image_shape:
        raise ValueError(f"images give inputs of shape {windows.input_shape}, the model takes {model.image_shape}")
    prediction_weight = check_positive_float("prediction_weight", prediction_weight, allow_zero=True)
    prediction_warmup = check_positive_int("prediction_warmup", prediction_warmup, allow_zero=True)
    use_map = latent_map is not None and prediction_weight > 0.0
    if use_map and windows.target_offset == 0:
        raise ValueError("a latent map needs windows with targets (FrameWindows(..., target_offset=2))")
    epochs = check_positive_int("epochs", epochs)
    batch_size = check_positive_int("batch_size", batch_size)
    modules = {"model": model, **({"latent_map": latent_map} if latent_map is not None else {})}
    parameters = [p for module in modules.values() for p in module.parameters()]
    optimizer = torch.optim.Adam(parameters, lr=check_positive_float("learning_rate", learning_rate))
    final = (
        learning_rate
        if final_learning_rate is None
        else check_positive_float("final_learning_rate", final_learning_rate)
    )
    scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=(final / learning_rate) ** (1 / epochs))
    checkpoint_every = check_positive_int("checkpoint_every", checkpoint_every)
    start, history = _load_checkpoint(checkpoint, modules, optimizer, scheduler)
    device = next(model.parameters()).device
    memory_format = torch.channels_last if channels_last else torch.contiguous_format
    prepare_for_speed(model, channels_last)
    for module in modules.values():
        module.train()
    for epoch in progress(range(start, epochs), description, total=epochs - start):
        total = torch.zeros((), device=device)
        weight = prediction_weight if epoch >= prediction_warmup else 0.0
        for batch in _batches(len(windows), batch_size, seed, epoch):
            inputs = windows.inputs(batch).to(device).contiguous(memory_format=memory_format)
            targets = windows.targets(batch).to(device).contiguous(memory_format=memory_format) if use_map else None
            with autocast_context(device, precision):
                loss, _ = autoencoder_loss(
                    model, inputs, targets, latent_map if use_map else None, weight, relative_latent_error
                )
            loss = loss + model.weight_penalty()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total += loss.detach() * len(batch)
        scheduler.step()
        history.append(float(total) / len(windows))
        if (epoch + 1) % checkpoint_every == 0 or epoch + 1 == epochs:
            _save_checkpoint(checkpoint, modules, optimizer, epoch + 1, history, scheduler)
        if stop_after_epoch is not None and epoch + 1 >= stop_after_epoch:
            break
    if len(history) == epochs:
        recalibrate_batch_norm(model, windows, batch_size, memory_format)
    for module in modules.values():
        module.eval()
    return history


@torch.no_grad()
def recalibrate_batch_norm(
    model: nn.Module,
    windows: FrameWindows,
    batch_size: int,
    memory_format: torch.memory_format = torch.contiguous_format,
) -> None:
    """Recompute every batch-norm layer's running statistics for the final weights.

    During training the running averages trail weights that keep changing (more so at a high
    learning rate), and an autoencoder evaluated with them can reconstruct far worse than with
    batch statistics. One pass over the training inputs with a cumulative average
    (``torch.optim.swa_utils.update_bn``) makes evaluation consistent with the trained weights.
    """
    device = next(model.parameters()).device
    batches = (
        windows.inputs(chunk).to(device).contiguous(memory_format=memory_format)
        for chunk in torch.arange(len(windows)).split(batch_size)
    )
    torch.optim.swa_utils.update_bn(batches, model)


def train_latent_model(
    model: nn.Module,
    trajectories: torch.Tensor,
    *,
    time_step: float,
    steps: int,
    batch_size: int,
    learning_rate: float,
    final_learning_rate: float,
    seed: int,
    horizon: int = 1,
    description: str = "latent model",
    keep_best: bool = False,
    losses: list[float] | None = None,
) -> list[float]:
    """Fit a latent model to transitions of ``trajectories (N, T, d)``.

    The loss compares a rollout of ``horizon`` steps from ``z_n`` with ``z_{n+1..n+horizon}``
    (``horizon=1``: the authors' one-step loss). Adam, the learning rate decaying exponentially
    from ``learning_rate`` to ``final_learning_rate`` over ``steps`` updates. Returns the loss
    every ``steps // 20`` updates. A ``batch_size`` of at least the number of transitions uses
    all of them in every update (full batch); a smaller one draws them at random. ``keep_best``:
    end with the parameters of the update whose
    batch loss was lowest (the authors' choice; with a full batch, the lowest training loss).
    ``losses``: a list that receives every update's loss (for the loss curve).
    """
    check_tensor("trajectories", trajectories, ndim=3)
    steps = check_positive_int("steps", steps)
    horizon = check_positive_int("horizon", horizon)
    num_trajectories, length, _ = trajectories.shape
    if horizon >= length:
        raise ValueError(f"horizon ({horizon}) must be shorter than the trajectories ({length} states)")
    starts = length - horizon
    optimizer = torch.optim.Adam(model.parameters(), lr=check_positive_float("learning_rate", learning_rate))
    decay = (check_positive_float("final_learning_rate", final_learning_rate) / learning_rate) ** (1 / steps)
    scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=decay)
    generator = torch.Generator().manual_seed(seed)
    offsets = torch.arange(horizon + 1)
    history = []
    best_loss, best_state = float("inf"), None
    full_batch = batch_size >= num_trajectories * starts
    all_which = torch.arange(num_trajectories, device=trajectories.device).repeat_interleave(starts)
    all_start = torch.arange(starts, device=trajectories.device).repeat(num_trajectories)
    model.train()
    for step in progress(range(steps), description):
        if full_batch:  # every transition, every update: the batch loss is the training loss
            which, start = all_which, all_start
        else:
            which = torch.randint(num_trajectories, (batch_size,), generator=generator).to(trajectories.device)
            start = torch.randint(starts, (batch_size,), generator=generator).to(trajectories.device)
        windows = trajectories[which[:, None], start[:, None] + offsets.to(trajectories.device)]  # (B, horizon + 1, d)
        predicted = model.rollout(windows[:, 0], horizon, time_step)
        loss = (predicted[:, 1:] - windows[:, 1:]).pow(2).mean()
        value = loss.item()
        if losses is not None:
            losses.append(value)
        if keep_best and value < best_loss:  # the parameters that gave this loss, before the update
            best_loss = value
            best_state = {name: tensor.detach().clone() for name, tensor in model.state_dict().items()}
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        scheduler.step()
        if step % max(1, steps // 20) == 0 or step == steps - 1:
            history.append(value)
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    return history


def train_jointly(
    autoencoder: ConvAutoencoder,
    latent_model: nn.Module,
    pairs: torch.Tensor,
    *,
    time_step: float,
    epochs: int,
    batch_size: int,
    learning_rate: float,
    seed: int,
    prediction_weight: float = 1.0,
    latent_weight: float = 1.0,
    checkpoint: Path | None = None,
    description: str = "joint",
) -> list[float]:
    """Train autoencoder and latent model together (the scheme the paper argues against).

    ``pairs (N, T, C, H, W)``: consecutive inputs of each trajectory. Loss per transition
    ``n -> n+1``: ``|D(E(x_n)) - x_n|^2 + prediction_weight |D(phi(E(x_n))) - x_{n+1}|^2
    + latent_weight |phi(E(x_n)) - E(x_{n+1})|^2 + penalty``, with ``phi`` one step of the
    latent model.
    """
    check_tensor("pairs", pairs, shape=(None, None, *autoencoder.image_shape))
    epochs = check_positive_int("epochs", epochs)
    current = pairs[:, :-1].reshape(-1, *autoencoder.image_shape)
    following = pairs[:, 1:].reshape(-1, *autoencoder.image_shape)
    parameters = list(autoencoder.parameters()) + list(latent_model.parameters())
    optimizer = torch.optim.Adam(parameters, lr=check_positive_float("learning_rate", learning_rate))
    modules = {"autoencoder": autoencoder, "latent_model": latent_model}
    start, history = _load_checkpoint(checkpoint, modules, optimizer)
    device = next(autoencoder.parameters()).device
    autoencoder.train()
    latent_model.train()
    for epoch in progress(range(start, epochs), description, total=epochs - start):
        total = 0.0
        for batch in _batches(len(current), batch_size, seed, epoch):
            now, nxt = current[batch].to(device), following[batch].to(device)
            latent_now, latent_next = autoencoder.encode(now), autoencoder.encode(nxt)
            predicted = latent_model.step(latent_now, time_step)
            loss = (
                (autoencoder.decode(latent_now) - now).pow(2).mean()
                + prediction_weight * (autoencoder.decode(predicted) - nxt).pow(2).mean()
                + latent_weight * (predicted - latent_next).pow(2).mean()
                + autoencoder.weight_penalty()
            )
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        history.append(total / len(current))
        _save_checkpoint(checkpoint, modules, optimizer, epoch + 1, history)
    autoencoder.eval()
    latent_model.eval()
    return history
