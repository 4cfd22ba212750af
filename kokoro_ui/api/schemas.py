"""The HTTP API's contract: request and response bodies as pydantic models.

These check types and shapes only; what values mean (is the voice one of the release's, is the
speed in range, is the text sayable) is `kokoro_ui.services.validation`'s job, so every surface agrees.
"""

from typing import Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat

from kokoro_ui.outputs.audio_formats import FORMATS

AudioFormat = Literal[FORMATS]


class NormalizationOptions(BaseModel):
    """Kokoro-FastAPI's text normalisation switches, with its defaults (see README: compatibility)."""

    model_config = ConfigDict(extra="forbid")

    normalize: bool = Field(True, description="Each release's own text normalisation; false is v1.0 only.")
    unit_normalization: bool = False
    url_normalization: bool = True
    email_normalization: bool = True
    optional_pluralization_normalization: bool = True
    phone_normalization: bool = True
    replace_remaining_symbols: bool = True


class VoiceAlias(BaseModel):
    model_config = ConfigDict(extra="forbid")

    voice: str
    rate: Optional[StrictFloat] = Field(None, description="Multiplies the request's speed while this alias speaks.")


class SpeechBody(BaseModel):
    """`POST /v1/audio/speech`: OpenAI's fields, Kokoro-FastAPI's, plus `version` and `lang`."""

    model_config = ConfigDict(extra="forbid")

    input: Optional[str] = Field(None, description="The text to say (or give `phonemes` instead).")
    phonemes: Optional[str] = Field(None, description="Phonemes to say instead of `input`, the release's G2P "
                                                      "bypassed; in either release's notation (`phoneme_notation`).")
    phoneme_notation: Optional[str] = Field(None, description="What `phonemes` are written in: 'auto' (default: told "
                                                              "by their symbols), 'own', 'espeak' (= 'v0.19') or "
                                                              "'misaki' (= 'v1.0'); another release's are mapped.")
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
    # Kokoro-FastAPI's fields, with its meanings (README: "Kokoro-FastAPI compatibility")
    lang_code: Optional[str] = Field(None, description="Kokoro-FastAPI's name for `lang`; if both are given, "
                                                       "they must agree.")
    volume_multiplier: Optional[StrictFloat] = Field(1.0, description="Multiplies the samples: 0 to 5, loud "
                                                                      "passages clip above ~2.")
    normalization_options: Optional[NormalizationOptions] = None
    return_download_link: bool = Field(False, description="Also keep the audio for a while: its path (under /v1) "
                                                          "is in the X-Download-Path header.")
    download_format: Optional[AudioFormat] = Field(None, description="The download's format (default: "
                                                                     "response_format); needs return_download_link.")
    return_timing: bool = Field(False, description="With return_download_link: each chunk's text, start and end "
                                                   "(s) as JSON, its path in the X-Timing-Path header.")
    voice_aliases: Optional[dict[str, Union[VoiceAlias, str]]] = Field(
        None, description="Short names for voices in this request, e.g. {\"narrator\": \"af_bella\"}.")
    allow_voice_tags: bool = Field(False, description="Inline [voice:...] tags: not supported here (true is a 400).")
    ssml: bool = Field(False, description="SSML input: not supported here (true is a 400).")

    def normalization_set(self) -> dict[str, bool]:
        """The normalisation options the request set itself (the rest are defaults it did not ask for)."""
        options = self.normalization_options
        return {} if options is None else options.model_dump(include=options.model_fields_set)

    def alias_targets(self) -> dict[str, tuple[str, Optional[float]]]:
        """`voice_aliases` as name -> (voice, rate)."""
        return {name: (target, None) if isinstance(target, str) else (target.voice, target.rate)
                for name, target in (self.voice_aliases or {}).items()}


class PhonemizeBody(BaseModel):
    """`POST /dev/phonemize`: Kokoro-FastAPI's fields, plus `version`."""

    model_config = ConfigDict(extra="forbid")

    text: str
    language: str = Field("a", description="A kokoro language code or alias ('a', 'en-us', 'b', …).")
    version: Optional[str] = Field(None, description="'v1.0' (default) or 'v0.19'.")


class Phonemes(BaseModel):
    phonemes: str  # the release's chunks' phonemes, joined by spaces: POST /dev/generate_from_phonemes takes them
    tokens: list[int]  # their token ids, with the pad token (0) at each end, as the network gets them
    version: str


class FromPhonemesBody(BaseModel):
    """`POST /dev/generate_from_phonemes`: Kokoro-FastAPI's fields, plus `version`."""

    model_config = ConfigDict(extra="forbid")

    phonemes: str = Field(description="Phonemes in the release's own notation (POST /dev/phonemize gives them).")
    voice: Optional[str] = Field(None, description="One of the release's voices; default: its default voice.")
    version: Optional[str] = Field(None, description="'v1.0' (default) or 'v0.19'.")


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
    available: bool = Field(True, description="False when this server cannot speak the voice's language.")
    reason: Optional[str] = Field(None, description="Why the voice is unavailable here; null when it is available.")


class VoiceList(BaseModel):
    version: str
    default: str
    voices: list[VoiceCard]


class LegacyVoiceList(BaseModel):
    """`?legacy=true`: Kokoro-FastAPI's older shape, voices as plain names."""

    version: str
    default: str
    voices: list[str]


class ReleaseHealth(BaseModel):
    version: str
    loaded: bool  # loaded and warmed up: ready to speak at full speed
    state: Literal["ready", "loading", "failed", "not loaded"]  # 'not loaded': it loads on first use
    loading: bool  # a load is under way (at start, or for a request)
    progress: Optional[str] = None  # while loading: 'waiting for the other release', 'loading weights', 'warming up'
    weights: Optional[str]  # where the loaded weights came from, in words; None until loaded
    weights_kind: Optional[str]  # 'hub', 'folder', 'synthetic', 'packaged', …
    real_speech: Optional[bool]  # False for synthetic weights: their audio is noise
    backend: Optional[str]
    backend_note: Optional[str] = None  # how it differs from PyTorch eager, as measured; e.g. whether the compiled decoder is in use yet
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


class CaptionedSpeechBody(BaseModel):
    """`POST /dev/captioned_speech`: Kokoro-FastAPI's captioned speech request, plus `version`."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field("kokoro", description="'kokoro' (the default release), 'kokoro-v1.0' or 'kokoro-v0.19'.")
    input: Optional[str] = Field(None, description="The text to say.")
    voice: Optional[str] = Field(None, description="One of the release's voices; default: its default voice.")
    response_format: AudioFormat = Field("mp3", description="The audio's format (base64 in the JSON).")
    speed: StrictFloat = Field(1.0, description="0.5 to 2.0.")
    stream: StrictBool = Field(True, description="One JSON object per chunk, one per line, as chunks are made; "
                                                 "false: one object for the whole audio.")
    return_timestamps: StrictBool = Field(True, description="Include each written word's start and end (s).")
    lang_code: Optional[str] = Field(None, description="A kokoro language code; default: the voice's.")
    version: Optional[str] = Field(None, description="'v1.0' (default) or 'v0.19'; must agree with `model`.")


class WordTimestamp(BaseModel):
    word: str
    start_time: float  # seconds from the start of the whole audio
    end_time: float


class CaptionedSpeech(BaseModel):
    """The whole audio, or one chunk's, with its words' times."""

    audio: str  # base64 of the audio in `audio_format`
    audio_format: str
    timestamps: Optional[list[WordTimestamp]] = None


class ErrorBody(BaseModel):
    """OpenAI's error shape, for every error of the API."""

    error: ErrorDetail
