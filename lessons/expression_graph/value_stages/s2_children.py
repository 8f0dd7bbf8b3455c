"""Stage 2: a Value remembers the Values it was made from, so the expression becomes a graph."""


class Value:
    def __init__(self, data, _children=()):
        self.data = data
        self._prev = tuple(_children)

    def __repr__(self):
        return f"Value(data={self.data})"

    def __add__(self, other):
        return Value(self.data + other.data, (self, other))

    def __mul__(self, other):
        return Value(self.data * other.data, (self, other))
