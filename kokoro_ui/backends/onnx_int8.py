"""int8 for a release's ONNX decoder: static quantisation of its convolutions but those near raw signals.

Why these choices (the measured variants are in README, *Performance*):

Dynamic quantisation pays for quantising every activation at run time and runs a generic
integer convolution; static quantisation has fixed activation ranges, so ONNX Runtime fuses
each convolution with its quantise/dequantise pair into its fast quantised kernel. Fixed
ranges do not suit the layers that read raw signals (F0 in Hz, energy, the harmonic source and
its spectrum) or write one (`conv_post`, whose output is exponentiated, and the inverse STFT):
those stay fp32. Weights are int8 per output channel with 7-bit range:
on AVX2 without VNNI, uint8 × int8 products are summed in saturating int16. Activations are
uint8, their ranges taken (min/max) from calibration runs.

Calibration: decoder inputs from PyTorch's predictor half on seeded token sequences of the
release's vocabulary, styled by a few of its voices. The seed differs from the fidelity check's,
so that check measures sequences the ranges were not taken from.
"""

from pathlib import Path
from typing import Iterator

import numpy as np
import torch
from kokoro import KModel

from kokoro_ui.backends import onnx_export
from kokoro_ui.errors import WeightsError

CALIBRATION_TOKENS = (30, 80, 150)  # per voice; longer runs add memory (every calibrated tensor is kept), not range
_CALIBRATION_SEED = 11_2025
_CONVOLUTIONS = ("Conv", "ConvTranspose")
QUANTISED_LAYERS = ("/decoder/encode/", "/decoder/decode.", "/generator/ups.", "/generator/resblocks.",
                    "/generator/noise_res.")


def quantise_decoder(kmodel: KModel, style_packs: list[torch.Tensor], fp32_decoder: Path, int8_decoder: Path) -> None:
    """Write `int8_decoder`: `fp32_decoder` with the convolutions of `QUANTISED_LAYERS` quantised."""
    import onnx  # only int8 users pay for these
    from onnxruntime.quantization import CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType, quantize_static

    class Calibration(CalibrationDataReader):
        def __init__(self):
            self.feeds = calibration_feeds(kmodel, style_packs)

        def get_next(self):
            return next(self.feeds, None)

    graph = onnx.load(str(fp32_decoder), load_external_data=False).graph
    quantised = [node.name for node in graph.node
                 if node.op_type in _CONVOLUTIONS and any(layer in node.name for layer in QUANTISED_LAYERS)]
    if not quantised:  # quantising nothing would pass for int8 while being fp32
        raise WeightsError(f"{fp32_decoder} has none of the layers {QUANTISED_LAYERS}: not a Kokoro decoder export.")
    quantize_static(str(fp32_decoder), str(int8_decoder), Calibration(), quant_format=QuantFormat.QDQ,
                    op_types_to_quantize=list(_CONVOLUTIONS), nodes_to_quantize=quantised, per_channel=True,
                    reduce_range=True, activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                    calibrate_method=CalibrationMethod.MinMax)


def calibration_feeds(kmodel: KModel, style_packs: list[torch.Tensor]) -> Iterator[dict[str, np.ndarray]]:
    """Decoder inputs for each style pack and each of `CALIBRATION_TOKENS`."""
    samples_per_f0_frame, harmonics = onnx_export.noise_shape(kmodel)
    vocabulary = np.array(sorted(set(kmodel.vocab.values())))
    rng = np.random.default_rng(_CALIBRATION_SEED)
    generator = torch.Generator().manual_seed(_CALIBRATION_SEED)
    predictor = onnx_export.PredictorHalf(kmodel)
    for pack in style_packs:
        for tokens in CALIBRATION_TOKENS:
            input_ids = torch.LongTensor([[0, *rng.choice(vocabulary, tokens).tolist(), 0]])
            style = pack[min(tokens, len(pack) - 1)].reshape(1, -1)
            with torch.inference_mode():
                _, _, aligned, f0, energy = predictor(input_ids, style, torch.ones(1))
            initial_phases, noise = onnx_export.random_draws(f0.shape[-1], samples_per_f0_frame, harmonics, generator)
            yield {"aligned_text": aligned.numpy(), "f0": f0.numpy(), "energy": energy.numpy(), "style": style.numpy(),
                   "initial_phases": initial_phases.numpy(), "noise": noise.numpy()}
