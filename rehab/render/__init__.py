"""Views of the core's data: terminal (Rich) and documents (Markdown, HTML, PDF, CSV, ICS)."""
