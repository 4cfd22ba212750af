"""The process: the port that answers while the app starts (`boot`), then one server for the HTTP API and the Gradio app (`server`)."""
