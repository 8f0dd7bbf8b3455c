"""Home: what the app teaches, one card per lesson, and how to present it in class."""

import streamlit as st

from lessons.source import source
from micrograd_core import engine as engine_module
from micrograd_core import nn as nn_module
from ui import LESSONS, page_frame, presenting, stage

page_frame("pages/home.py")

st.title("Backpropagation, spelled out")
if not presenting():
    st.markdown(
        "An interactive companion to Andrej Karpathy's lecture *The spelled-out intro to neural networks "
        "and backpropagation: building micrograd*. For students meeting gradients for the first time, and for "
        "teachers who want to show each step live. Every number here is computed as you watch by "
        "`micrograd_core`, a small Python autograd engine you can read next to the lecture."
    )

# on the stage the five lessons on one screen, three and two to a row
per_row = 3 if presenting() else 2
sections = stage.sections(["lessons", "summary"])
with sections["lessons"]:
    for row in range(0, len(LESSONS), per_row):
        for col, page in zip(st.columns(per_row), LESSONS[row : row + per_row]):
            with col.container(border=True):
                st.subheader(page.title)
                if not presenting():  # on the stage the teacher says it
                    st.write(page.summary)
                st.caption(page.chapter)
                st.page_link(page.path, label=f"Open {page.title}", icon=":material/arrow_forward:")

with sections["summary"]:
    st.header("What the lecture built")
    engine, network = (len(source(module).splitlines()) for module in (engine_module, nn_module))
    st.markdown(
        "- **A neural network is a mathematical expression**: data and weights in, predictions and a loss out.\n"
        "- **backward() is the chain rule**, applied from the loss back to every weight: each operation knows only "
        "its own local derivative, and the gradients of a node used twice add up.\n"
        "- **Gradient descent** moves every weight a little against its gradient, step after step, and the loss "
        "falls.\n"
        "- **Modern networks do the same** with tensors of many numbers at once, other losses and optimisers, and "
        "far more weights: everything else is efficiency.\n"
        f"- **All of it ran here** on `micrograd_core`: `engine.py` is {engine} lines, `nn.py` {network}."
    )

st.header("Presenting in class")
st.markdown(
    "- Switch on **Presentation mode** in the sidebar: larger text and charts, secondary controls hidden.\n"
    "- Switch on the **Lecture tour** in the sidebar to walk the lecture scene by scene: each scene opens a page "
    "as the lecture shows it, with a note for the teacher. Previous and Next answer to a presentation clicker "
    "(Page Up, Page Down).\n"
    "- Start a **class** on the Class page: students join on their phones with a code or a QR code and answer "
    "each scene's question before you reveal the class's answers and the true one. The **Teacher's guide** "
    "walks through a lesson from the day before to the end.\n"
    "- Each page keeps its main settings in the address bar: set up a view, then bookmark or share the link. "
    "A link opened with presentation mode on opens in it.\n"
    "- The app needs no internet once it runs, so it works in a classroom without a connection.\n"
    "- Positive numbers are blue and negative ones vermillion throughout, readable for colour-blind viewers."
)
