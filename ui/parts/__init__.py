"""Parts of the longer pages, one module per page: the lessons' tabs and panels, drawn by the page."""
