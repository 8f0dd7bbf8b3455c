"""Stage 3: a Value also remembers which operation made it."""


class Value:
    def __init__(self, data, _children=(), _op=""):
        self.data = data
        self._prev = tuple(_children)
        self._op = _op

    def __repr__(self):
        return f"Value(data={self.data})"

    def __add__(self, other):
        return Value(self.data + other.data, (self, other), "+")

    def __mul__(self, other):
        return Value(self.data * other.data, (self, other), "*")
