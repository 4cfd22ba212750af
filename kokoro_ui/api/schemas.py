"""The HTTP API's contract: request and response bodies as pydantic models.

These check types and shapes only; what values mean (is the voice one of the release's, is the
speed in range, is the text sayable) is `kokoro_ui.validation`'s job, so every surface agrees.
"""

from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, StrictFloat

from kokoro_ui.audio_formats import FORMATS

AudioFormat = Literal[FORMATS]


class SpeechBody(BaseModel):
    """`POST /v1/audio/speech`: OpenAI's fields, plus `version` and `lang`."""

    model_config = ConfigDict(extra="forbid")

    input: str = Field(description="The text to say.")
    model: str = Field("kokoro", description="'kokoro' (the default release), 'kokoro-v1.0' or 'kokoro-v0.19'.")
    voice: Optional[str] = Field(None, description="One of the release's voices (GET /v1/audio/voices); "
                                                   "default: the release's default voice.")
    response_format: AudioFormat = Field("mp3", description="wav, mp3, flac, opus (Ogg) or pcm "
                                                            "(int16 LE, 24 kHz, mono).")
    speed: StrictFloat = Field(1.0, description="0.5 to 2.0.")  # strict: true is not a speed (ints still are)
    stream: bool = Field(False, description="Send audio as it is made (chunked transfer).")
    version: Optional[str] = Field(None, description="'v1.0' (default) or 'v0.19'; if `model` names a release "
                                                     "too, they must agree.")
    lang: Optional[str] = Field(None, description="A kokoro language code ('a' en-US, 'b' en-GB, …); "
                                                  "default: the voice's.")
    stream_format: Literal["audio"] = Field("audio", description="Only 'audio' (OpenAI's 'sse' is not offered).")
    instructions: Optional[str] = Field(None, description="Accepted for OpenAI compatibility, and ignored: "
                                                          "Kokoro takes no instructions.")


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int = 0
    owned_by: str = "hexgrad"
    version: str  # the release this model name selects


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


class VoiceCard(BaseModel):
    id: str
    name: str
    language: str
    language_tag: str
    gender: str
    pairs_with: Optional[str]


class VoiceList(BaseModel):
    version: str
    default: str
    voices: list[VoiceCard]


class ReleaseHealth(BaseModel):
    version: str
    loaded: bool
    weights: Optional[str]  # where the loaded weights came from, in words; None until loaded
    weights_kind: Optional[str]  # 'hub', 'folder', 'synthetic', 'packaged', …
    real_speech: Optional[bool]  # False for synthetic weights: their audio is noise
    backend: Optional[str]
    error: Optional[str]  # why the last load failed, until a load succeeds
    forward_passes: Optional[int] = None  # passes through the network since start; None until loaded


class VotesHealth(BaseModel):
    """Where the listening test's votes are kept, and whether they survive a restart."""

    store: Literal["sqlite", "postgresql"]
    location: str  # a path, or the database's URL without credentials
    persistent: bool  # False: the votes are lost when the app restarts
    note: str  # the same words the Results tab shows


class Health(BaseModel):
    status: Literal["ok", "degraded"]  # degraded: a release's last load failed
    weights_setting: str  # KOKORO_UI_WEIGHTS: which source each release loads from
    versions: list[ReleaseHealth]
    votes: Optional[VotesHealth] = None


class ErrorDetail(BaseModel):
    message: str
    type: str
    param: Optional[str]
    code: Optional[str]


class ErrorBody(BaseModel):
    """OpenAI's error shape, for every error of the API."""

    error: ErrorDetail
