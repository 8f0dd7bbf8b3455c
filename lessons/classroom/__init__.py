"""Class mode's lesson logic: a question's answers counted for the reveal (the store of classes is in `server/`)."""
