"""The Gradio app: layout modules that only lay out, handlers that can be tested without a browser."""
