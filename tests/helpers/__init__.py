"""What many tests share, one way each: the browser and the app it talks to (`browser`), clicks on a
Gradio page (`gradio_page`), app processes and study sessions (`study`), a PostgreSQL server
(`postgres`), OpenAI-style error bodies (`api_errors`), and speech recognition for intelligibility
(`intelligibility`)."""
