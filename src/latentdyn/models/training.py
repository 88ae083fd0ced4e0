"""Training loops: autoencoder alone, latent dynamics alone (decoupled), and both jointly.

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

from latentdyn.models.autoencoder import ConvAutoencoder
from latentdyn.runtime import progress
from latentdyn.validation import check_positive_float, check_positive_int, check_tensor


def _batches(count: int, batch_size: int, seed: int, epoch: int) -> list[torch.Tensor]:
    generator = torch.Generator().manual_seed(seed * 100_003 + epoch)
    order = torch.randperm(count, generator=generator)
    return list(order.split(batch_size))


def _load_checkpoint(path: Path | None, modules: dict[str, nn.Module], optimizer: torch.optim.Optimizer,
                     scheduler=None) -> tuple[int, list[float]]:
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


def _save_checkpoint(path: Path | None, modules: dict[str, nn.Module], optimizer: torch.optim.Optimizer,
                     epoch: int, history: list[float], scheduler=None) -> None:
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


def train_autoencoder(model: ConvAutoencoder, images: torch.Tensor, *, epochs: int, batch_size: int,
                      learning_rate: float, seed: int, final_learning_rate: float | None = None,
                      checkpoint: Path | None = None, checkpoint_every: int = 1,
                      stop_after_epoch: int | None = None, description: str = "autoencoder") -> list[float]:
    """Fit ``model`` to reconstruct ``images (M, C, H, W)`` in [0, 1]; loss = MSE + weight penalty.

    Adam; the learning rate decays exponentially from ``learning_rate`` to
    ``final_learning_rate`` (default: no decay) over the epochs, which also lets the
    batch-norm running statistics settle. Returns the mean training loss of every epoch.
    ``stop_after_epoch`` ends the call early (used to test resuming from ``checkpoint``).
    """
    check_tensor("images", images, shape=(None, *model.image_shape))
    epochs = check_positive_int("epochs", epochs)
    batch_size = check_positive_int("batch_size", batch_size)
    optimizer = torch.optim.Adam(model.parameters(), lr=check_positive_float("learning_rate", learning_rate))
    final = learning_rate if final_learning_rate is None else check_positive_float("final_learning_rate",
                                                                                  final_learning_rate)
    scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=(final / learning_rate) ** (1 / epochs))
    checkpoint_every = check_positive_int("checkpoint_every", checkpoint_every)
    start, history = _load_checkpoint(checkpoint, {"model": model}, optimizer, scheduler)
    device = next(model.parameters()).device
    model.train()
    for epoch in progress(range(start, epochs), description, total=epochs - start):
        total = 0.0
        for batch in _batches(len(images), batch_size, seed, epoch):
            inputs = images[batch].to(device)
            loss = (model(inputs) - inputs).pow(2).mean() + model.weight_penalty()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        scheduler.step()
        history.append(total / len(images))
        if (epoch + 1) % checkpoint_every == 0 or epoch + 1 == epochs:
            _save_checkpoint(checkpoint, {"model": model}, optimizer, epoch + 1, history, scheduler)
        if stop_after_epoch is not None and epoch + 1 >= stop_after_epoch:
            break
    model.eval()
    return history


def train_latent_model(model: nn.Module, trajectories: torch.Tensor, *, time_step: float, steps: int,
                       batch_size: int, learning_rate: float, final_learning_rate: float, seed: int,
                       horizon: int = 1, description: str = "latent model") -> list[float]:
    """Fit a latent model to transitions of ``trajectories (N, T, d)``.

    The loss compares a rollout of ``horizon`` steps from ``z_n`` with ``z_{n+1..n+horizon}``
    (``horizon=1``: the authors' one-step loss). Adam, the learning rate decaying exponentially
    from ``learning_rate`` to ``final_learning_rate`` over ``steps`` updates. Returns the loss
    every ``steps // 20`` updates.
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
    model.train()
    for step in progress(range(steps), description):
        count = min(batch_size, num_trajectories * starts)
        which = torch.randint(num_trajectories, (count,), generator=generator)
        start = torch.randint(starts, (count,), generator=generator)
        windows = trajectories[which[:, None], start[:, None] + offsets]  # (B, horizon + 1, d)
        predicted = model.rollout(windows[:, 0], horizon, time_step)
        loss = (predicted[:, 1:] - windows[:, 1:]).pow(2).mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        scheduler.step()
        if step % max(1, steps // 20) == 0 or step == steps - 1:
            history.append(loss.item())
    model.eval()
    return history


def train_jointly(autoencoder: ConvAutoencoder, latent_model: nn.Module, pairs: torch.Tensor, *,
                  time_step: float, epochs: int, batch_size: int, learning_rate: float, seed: int,
                  prediction_weight: float = 1.0, latent_weight: float = 1.0,
                  checkpoint: Path | None = None, description: str = "joint") -> list[float]:
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
            loss = ((autoencoder.decode(latent_now) - now).pow(2).mean()
                    + prediction_weight * (autoencoder.decode(predicted) - nxt).pow(2).mean()
                    + latent_weight * (predicted - latent_next).pow(2).mean()
                    + autoencoder.weight_penalty())
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        history.append(total / len(current))
        _save_checkpoint(checkpoint, modules, optimizer, epoch + 1, history)
    autoencoder.eval()
    latent_model.eval()
    return history
