"""The lecture's chapters and where each starts in the video: the one source of every lecture time the app shows.

Taken from the chapter list of "The spelled-out intro to neural networks and backpropagation: building
micrograd" (the video's own chapters, and the summary at its end). A page, a tour scene or a stage of
the Value class names a chapter by its title; its time comes from here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Chapter:
    """A chapter of the lecture: its title, as the video names it, and its start (hh:mm:ss)."""

    title: str
    start: str

    @property
    def seconds(self) -> int:
        h, m, s = (int(part) for part in self.start.split(":"))
        return 3600 * h + 60 * m + s


CHAPTERS: tuple[Chapter, ...] = tuple(Chapter(title, start) for start, title in (
    ("00:00:00", "intro"),
    ("00:00:25", "micrograd overview"),
    ("00:08:08", "derivative of a simple function with one input"),
    ("00:14:12", "derivative of a function with multiple inputs"),
    ("00:19:09", "starting the core Value object of micrograd and its visualization"),
    ("00:32:10", "manual backpropagation example #1: simple expression"),
    ("00:51:10", "preview of a single optimization step"),
    ("00:52:52", "manual backpropagation example #2: a neuron"),
    ("01:09:02", "implementing the backward function for each operation"),
    ("01:17:32", "implementing the backward function for a whole expression graph"),
    ("01:22:28", "fixing a backprop bug when one node is used multiple times"),
    ("01:27:05", "breaking up a tanh, exercising with more operations"),
    ("01:39:31", "doing the same thing but in PyTorch: comparison"),
    ("01:43:55", "building out a neural net library (multi-layer perceptron) in micrograd"),
    ("01:51:04", "creating a tiny dataset, writing the loss function"),
    ("01:57:56", "collecting all of the parameters of the neural net"),
    ("02:01:12", "doing gradient descent optimization manually, training the network"),
    ("02:14:03", "summary of what we learned, how to go towards modern neural nets"),
    ("02:16:46", "walkthrough of the full code of micrograd on github"),
))
BY_TITLE = {c.title: c for c in CHAPTERS}


def chapter(title: str) -> Chapter:
    """The chapter of this title; KeyError naming it when the lecture has none such."""
    try:
        return BY_TITLE[title]
    except KeyError:
        raise KeyError(f"the lecture has no chapter {title!r}") from None


def span(first: str, last: str) -> str:
    """The lecture from the start of chapter `first` to the end of chapter `last`, e.g. "00:08:08 to 00:19:09"."""
    start, end = chapter(first), chapter(last)
    following = CHAPTERS.index(end) + 1
    until = CHAPTERS[following].start if following < len(CHAPTERS) else "the end"
    return f"{start.start} to {until}"
