"""The app's pages, in one table: script, title, icon, what a lesson teaches, and what its stage is made of.

Navigation, the home page, the tour's checks, tests and benchmarks all read this table; nothing else
lists the pages. It imports no other view, so every part of `ui` may read it.
"""

from __future__ import annotations

from dataclasses import dataclass

from lessons.lecture import span


@dataclass(frozen=True)
class PageSpec:
    """A page of the app: its script, title and icon, and for a lesson what it teaches and where in the lecture.

    `prefix` starts every session-state key the page keeps (its settings, its model, its replay's place):
    opening a scene of the tour forgets them all, so the scene opens as its link says. `sections` are the
    parts a scene may name as its focus (drawn first on the stage); `hideable` the parts a scene's question
    may hide until the reveal, because they show its answer.
    """

    path: str
    title: str
    icon: str
    summary: str = ""
    topic: str = ""  # what of the lecture the lesson covers
    lecture: tuple[str, str] = ()  # its first and last chapters, by title (lessons/lecture.py has their times)
    prefix: str = ""
    sections: tuple[str, ...] = ()
    hideable: tuple[str, ...] = ()

    @property
    def chapter(self) -> str:
        """Where the lesson is in the lecture: "Lecture <start> to <end>: <topic>", the times from the chapters."""
        return f"Lecture {span(*self.lecture)}: {self.topic}" if self.lecture else self.topic

    @property
    def url_path(self) -> str:
        """The page's address after the host: "" for the home page, else its file's name."""
        return "" if self is PAGES[0] else self.path.removeprefix("pages/").removesuffix(".py")


# The pages, in lecture order. Titles, icons and the lessons' summaries are set here and nowhere else.
PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/home.py", "Home", ":material/home:", sections=("lessons", "summary")),
    PageSpec("pages/derivatives.py", "Derivatives", ":material/show_chart:",
             "What a derivative is: nudge x by h and watch f respond. The secant becomes the tangent, "
             "several inputs each get a slope, and one weight learns by following its slope.",
             "derivatives of one and several inputs",
             ("derivative of a simple function with one input", "derivative of a function with multiple inputs"),
             prefix="deriv_", sections=("one_input", "h_error", "several", "learn"),
             hideable=("slope", "h_error", "nudge_slopes")),
    PageSpec("pages/expression_graph.py", "Expression graph", ":material/account_tree:",
             "Values joined into a graph, and gradients flowing back through it node by node by the chain rule, "
             "with the node-reuse bug and tanh broken into exp.",
             "Value, backprop by hand and by backward(), the reuse bug, tanh from exp",
             ("starting the core Value object of micrograd and its visualization",
              "breaking up a tanh, exercising with more operations"),
             prefix="graph_", sections=("stepper", "lessons"), hideable=("opt_result", "reuse_grads")),
    PageSpec("pages/neuron.py", "Neuron", ":material/neurology:",
             "One neuron with two inputs and tanh: its gradients by hand, by backward(), and in PyTorch.",
             "the neuron, tanh, PyTorch",
             ("manual backpropagation example #2: a neuron", "doing the same thing but in PyTorch: comparison"),
             prefix="neuron_", sections=("neuron", "quiz", "by_hand", "from_exp", "pytorch"),
             hideable=("highlight", "grads", "from_exp")),
    PageSpec("pages/mlp_training.py", "MLP training", ":material/model_training:",
             "A multi-layer perceptron learning live: loss curve, decision boundary, and the classic mistakes.",
             "MLP, loss, gradient descent, micrograd's demo",
             ("building out a neural net library (multi-layer perceptron) in micrograd",
              "walkthrough of the full code of micrograd on github"),
             prefix="mlp_", sections=("live", "network", "step", "code", "the_code", "twin"),
             hideable=("parameter_count", "zero_grad_hint")),
    PageSpec("pages/bug_lab.py", "Bug lab", ":material/bug_report:",
             "The backprop bugs everyone writes, each a small change to the real engine: find them, and see the "
             "gradient check catch each one.",
             "After the lecture: = instead of +=, the topological order, zero_grad and more",
             prefix="lab_", sections=("lab",), hideable=("check",)),
    PageSpec("pages/landscape.py", "Loss landscape", ":material/landscape:",
             "The loss of a two-parameter model drawn over its parameters: find its lowest point by hand, then "
             "watch gradient descent, momentum and Adam walk down from where you click, their state in view.",
             "After the lecture: the loss landscape, learning rates and optimisers",
             prefix="land_", sections=("landscape", "optimisers")),
    PageSpec("pages/classes.py", "More than two classes", ":material/scatter_plot:",
             "Softmax and cross-entropy built from Values, the gradient p − y checked on a sample, and a network "
             "with three outputs learning a spiral of three classes.",
             "After the lecture: softmax, cross-entropy and three classes",
             prefix="cls_", sections=("check", "train"), hideable=("gradient",)),
    PageSpec("pages/classroom.py", "Class", ":material/groups:"),
    PageSpec("pages/presenter.py", "Presenter view", ":material/co_present:"),
    PageSpec("pages/guide.py", "Teacher's guide", ":material/menu_book:"),
)
LESSONS = tuple(p for p in PAGES if p.summary)
BY_PATH = {p.path: p for p in PAGES}
