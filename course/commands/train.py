"""``lstm-course train``: train an implementation with a progress bar."""

from __future__ import annotations

import argparse
import contextlib
import inspect
import json
import re
import time
from pathlib import Path

from course import task

#: The names of ``course.pipelines.DATA_PATHS``. Kept here so that ``--help`` answers
#: without importing TensorFlow; a test keeps the two in step.
DATA_PATH_NAMES = ("per-sample", "batched", "tf-ops")
#: The default: the per-sample generator makes training wait for data (``lstm-course bench``
#: measures how much); whole batches from one NumPy call never do.
DEFAULT_DATA_PATH = "batched"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``train`` subcommand.

    Args:
        subparsers: the top-level parser's subparsers.
    """
    parser = subparsers.add_parser("train", help="train an implementation and report its accuracy")
    from course.impl import default_impl

    parser.add_argument("--impl", default=default_impl(),
                        help="solutions, exercises or a folder (default: %(default)s; the student release has"
                             " only exercises)")
    parser.add_argument("--seq-len", type=int, default=task.SEQ_LEN, help="time steps T (default: %(default)s)")
    parser.add_argument("--epochs", type=int, default=2, help="passes over the training data (default: 2)")
    parser.add_argument("--samples", type=int, default=task.NUM_SAMPLES,
                        help="training pairs per epoch (default: %(default)s)")
    parser.add_argument("--val-samples", type=int, default=8_000, help="held-out pairs (default: 8000)")
    parser.add_argument("--units", type=int, default=32, help="LSTM units H (default: 32)")
    parser.add_argument("--batch-size", type=int, default=64, help="batch size B (default: 64)")
    parser.add_argument("--learning-rate", type=float, default=1e-3, help="Adam's step size (default: 1e-3)")
    parser.add_argument("--data", choices=DATA_PATH_NAMES, default=DEFAULT_DATA_PATH,
                        help="data path (default: %(default)s; per-sample is the homework's generator,"
                             " the implementation's own data.make_dataset)")
    parser.add_argument("--seed", type=int, default=None, help="seed TensorFlow, NumPy and Python")
    parser.add_argument("--plot", type=Path, help="save the training curves to this PNG")
    parser.add_argument("--json", type=Path, help="write the history and timings to this JSON file")
    parser.set_defaults(func=run, tensorflow=True)


def run(args: argparse.Namespace) -> int:
    """Train, show progress, print the final validation accuracy.

    Args:
        args: the parsed command-line arguments.

    Returns:
        0.
    """
    import keras
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from course.fit_progress import fit_reports_to
    from course.impl import describe, load
    from course.pipelines import DATA_PATHS

    console = Console(soft_wrap=True)
    if args.seed is not None:
        keras.utils.set_random_seed(args.seed)
    impl = load(args.impl)
    make_data = DATA_PATHS[args.data]
    console.print(f"[bold]Training[/] {impl.folder} · T={args.seq_len} · {args.epochs} x {args.samples:,} samples")
    console.print(f"data path: [cyan]{args.data}[/] ({plain(make_data.__doc__.strip().splitlines()[0])})")
    train_ds = make_data(impl.data, args.seq_len, args.samples, batch_size=args.batch_size)
    val_ds = make_data(impl.data, args.seq_len, args.val_samples, batch_size=args.batch_size)
    model = impl.model.IntegrationModel(units=args.units)

    curve: list[tuple[int, float, float]] = []  # (samples seen, running loss, running accuracy)
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,}"),
        TextColumn("{task.fields[stats]}"),
        TimeElapsedColumn(),
    )
    kwargs: dict[str, object] = {}
    start = time.perf_counter()
    with Progress(*columns, console=console, transient=False) as bar:
        progress_task = bar.add_task("train", total=args.epochs * args.samples, stats="waiting for the first batch")

        def progress(batch: int, loss: float, accuracy: float) -> None:
            """Advance the bar by one batch."""
            bar.advance(progress_task, batch)
            seen = int(bar.tasks[0].completed)
            rate = seen / max(time.perf_counter() - start, 1e-9)
            bar.update(progress_task, stats=f"loss {loss:.4f} · acc {accuracy:.4f} · {rate:,.0f} samples/s")
            curve.append((seen, loss, accuracy))

        accepted = inspect.signature(impl.train.train).parameters  # both are optional in the contract
        if "progress" in accepted:
            kwargs["progress"] = progress
        if "batch_size" in accepted:
            kwargs["batch_size"] = args.batch_size
        # A train() written with model.fit takes no progress argument: Keras reports its batches instead.
        with fit_reports_to(progress, args.batch_size) if "progress" not in accepted else contextlib.nullcontext():
            history = impl.train.train(model, train_ds, val_ds, epochs=args.epochs,
                                       learning_rate=args.learning_rate, **kwargs)
        bar.update(progress_task, completed=args.epochs * args.samples,
                   **({} if curve else {"stats": "no progress reported while training"}))
    seconds = time.perf_counter() - start
    if not curve:
        console.print("[yellow]train() reported no progress:[/] it takes no progress= argument and does not call "
                      "model.fit, so the bar could only show the end (and --plot has no training curve)")

    val_accuracy = history["val_accuracy"][-1]
    console.print(
        f"final validation accuracy: [bold green]{val_accuracy:.4f}[/] "
        f"(val loss {history['val_loss'][-1]:.4f}) in {seconds:.1f} s, "
        f"{args.epochs * args.samples / seconds:,.0f} samples/s end to end"
    )
    if args.plot:
        save_curves(args.plot, curve, history, args.samples, implementation=describe(impl.folder))
        console.print(f"training curves saved to {args.plot}")
    if args.json:
        record = {"args": {k: str(v) for k, v in vars(args).items() if k != "func"},
                  "implementation": describe(impl.folder), "history": history, "seconds": seconds, "curve": curve}
        args.json.write_text(json.dumps(record, indent=2))
    return 0


def plain(text: str) -> str:
    """Drop reStructuredText/Markdown code quotes (````from_generator````) from a docstring line.

    Args:
        text: str.

    Returns:
        The text as a terminal should show it.
    """
    return re.sub(r"`{1,2}([^`]+)`{1,2}", r"\1", text)


def save_curves(path: Path, curve: list[tuple[int, float, float]],
                history: dict[str, list[float]], samples_per_epoch: int, implementation: str | None = None) -> None:
    """Plot running training loss and accuracy, with per-epoch validation accuracy.

    Args:
        path: Path, the PNG to write.
        curve: list of ``(samples seen, running loss, running accuracy)`` per batch.
        history: dict, the per-epoch history returned by ``train``.
        samples_per_epoch: int, training pairs in one epoch.
        implementation: str or None, the implementation trained, written on the figure.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import EngFormatter

    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.6), constrained_layout=True)
    epochs = [samples_per_epoch * (e + 1) for e in range(len(history["val_accuracy"]))]
    if curve:
        seen, loss, acc = zip(*curve)
        ax_loss.plot(seen, loss, label="train (running mean in epoch)")
        ax_acc.plot(seen, acc, label="train (running mean in epoch)")
    ax_loss.plot(epochs, history["val_loss"], "o-", label="validation")
    ax_acc.plot(epochs, history["val_accuracy"], "o-", label="validation")
    ax_acc.axhline(task.ACCURACY_BAR, color="grey", linestyle="--", linewidth=1,
                   label=f"homework's bar ({task.ACCURACY_BAR:.2f})")
    ax_loss.set(xlabel="training samples seen", ylabel="binary cross-entropy", title="Loss")
    ax_acc.set(xlabel="training samples seen", ylabel="accuracy (last step)", title="Accuracy", ylim=(0.45, 1.0))
    for ax in (ax_loss, ax_acc):
        ax.xaxis.set_major_formatter(EngFormatter(sep=""))  # 40k, not 40000 (long ticks overlap)
        ax.grid(alpha=0.3)
        ax.legend(loc="best", fontsize=8)
    from course.plot_limits import reveal_low_values

    reveal_low_values(fig)  # a short run's accuracy sits below the usual floor
    if implementation:
        fig.text(0.005, 1.0, f"trained: {implementation}", fontsize=7, color="grey", ha="left", va="top")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
