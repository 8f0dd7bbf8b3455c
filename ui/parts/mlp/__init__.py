"""The MLP training page's parts: its settings, the live view, the class's own data, and the network opened up."""
