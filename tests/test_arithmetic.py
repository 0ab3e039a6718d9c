"""The formula text, the floor-division note, and the stack-level bookkeeping."""
from __future__ import annotations

from convviz import arithmetic as ar
from convviz.spec import LayerSpec
from convviz.validate import analyze

C = lambda **kw: LayerSpec.make("Conv2d", **kw)  # noqa: E731


def formula(spec, h, w=None):
    return ar.formula(spec, h, h if w is None else w)[0]


def test_formula_text_matches_issue_example():
    assert formula(C(out_channels=8, kernel_size=3, padding=1), 224) == "(224 + 2*1 - 1*(3-1) - 1) // 1 + 1 = 224"


def test_formula_reports_dropped_rows():
    text = formula(C(out_channels=1, kernel_size=3, stride=2), 8)
    assert text == ("(8 + 2*0 - 1*(3-1) - 1) // 2 + 1 = 3 (the floor division drops 1 row and 1 column "
                    "of the padded input)")
    text = formula(C(out_channels=1, kernel_size=3, stride=2), 8, 9)
    assert text.startswith("H: (8 + 2*0 - 1*(3-1) - 1) // 2 + 1 = 3; W: (9 + 2*0 - 1*(3-1) - 1) // 2 + 1 = 4")
    assert text.endswith("(the floor division drops 1 row of the padded input)")


def test_same_padding_even_kernel_is_asymmetric():
    s = C(out_channels=1, kernel_size=4, padding="same", dilation=1)
    w = ar.window(s)
    assert (w.pad_before, w.pad_after) == ((1, 1), (2, 2))
    assert formula(s, 10) == "(10 + 1 + 2 - 1*(4-1) - 1) // 1 + 1 = 10"


def test_ceil_mode_formula():
    s = LayerSpec.make("MaxPool2d", kernel_size=2, stride=2, ceil_mode=True)
    assert formula(s, 7) == "ceil((7 + 2*0 - 1*(2-1) - 1) / 2) + 1 = 4 (ceil_mode keeps a last, partial window)"
    s = LayerSpec.make("MaxPool2d", kernel_size=2, stride=2, padding=1, ceil_mode=True)
    assert ar.axis_formula(s, 0, 1).value == 1
    assert formula(s, 1) == ("ceil((1 + 2*1 - 1*(2-1) - 1) / 2) + 1 = 2 - 1 = 1 (the last window would start in "
                             "the right padding, so ceil_mode drops it)")


def test_transpose_formula():
    s = LayerSpec.make("ConvTranspose2d", out_channels=1, kernel_size=3, stride=2, padding=1, output_padding=1)
    assert formula(s, 4) == "(4 - 1)*2 - 2*1 + 1*(3-1) + 1 + 1 = 8"


def test_depthwise_separable_matches_mobilenet_numbers():
    info = analyze((32, 56, 56), [LayerSpec.make("DepthwiseSeparable", out_channels=64, kernel_size=3, padding=1,
                                                 bias=False)]).layers[0]
    std = analyze((32, 56, 56), [C(out_channels=64, kernel_size=3, padding=1, bias=False)]).layers[0]
    assert info.params == 288 + 2048 and std.params == 18432
    assert abs(info.macs / std.macs - ar.depthwise_separable_ratio(64, 3)) < 1e-12
    assert round(info.macs / std.macs, 4) == 0.1267


def test_invalid_layer_blocks_the_rest_and_inference_follows_channels():
    layers = [C(out_channels=4, kernel_size=3), C(out_channels=2, kernel_size=9), LayerSpec.make("ReLU")]
    info = analyze((3, 8, 8), layers)
    assert info.layers[0].ok and info.layers[0].out_shape == (4, 6, 6)
    assert info.layers[1].error.startswith("Layer 1 (Conv2d): the 9x9 kernel is larger than the padded input 6x6")
    assert info.layers[2].blocked_by == 1 and info.layers[2].in_shape is None
    assert not info.ok and info.first_error.index == 1


def test_wrong_in_channels_message():
    info = analyze((3, 8, 8), [C(out_channels=4, kernel_size=3), C(in_channels=3, out_channels=2, kernel_size=3)])
    assert info.layers[1].error == ("Layer 1 (Conv2d): in_channels is 3 but the previous layer gives 4 channels — "
                                    "set in_channels to 4 or leave it out")


def test_messages_for_the_traps():
    def err(spec, shape=(4, 8, 8)):
        return analyze(shape, [spec]).layers[0].error
    assert "padding='same' is not supported with stride 2" in err(C(out_channels=1, kernel_size=3, padding="same", stride=2))
    assert "output_padding 2 (in height) must be smaller than the stride 2 or the dilation 1" in err(
        LayerSpec.make("ConvTranspose2d", out_channels=1, kernel_size=3, stride=2, output_padding=2))
    assert "padding 2 is more than half of the kernel size 3" in err(LayerSpec.make("MaxPool2d", kernel_size=3, padding=2))
    assert "reflect padding of 8" in err(C(out_channels=1, kernel_size=3, padding=8, padding_mode="reflect"))
    assert "circular padding of 9" in err(C(out_channels=1, kernel_size=3, padding=9, padding_mode="circular"))
    assert "in_channels 4 is not divisible by groups 3" in err(C(out_channels=3, kernel_size=1, groups=3))
    assert "out_channels 5 is not divisible by groups 2" in err(C(out_channels=5, kernel_size=1, groups=2))
    assert "smaller than 1x1" in err(LayerSpec.make("ConvTranspose2d", out_channels=1, kernel_size=1, padding=1), (1, 1, 1))
    assert "ConvTranspose2d supports only padding_mode='zeros'" in err(
        LayerSpec.make("ConvTranspose2d", out_channels=1, kernel_size=1, padding_mode="reflect"))
    assert "does not fit in the padded input 8x8" in err(LayerSpec.make("MaxPool2d", kernel_size=9))


def test_human_units():
    assert ar.human_bytes(1536) == "1.5 KiB"
    assert ar.human_count(14_714_688) == "14.7 M"


def test_messages_translate_recursively_and_fall_back():
    from convviz.messages import Msg, translate
    m = Msg("Layer {i} ({type}): {reason}", i=2, type="Conv2d", reason=Msg("{name} is missing", name="kernel_size"))
    assert m == "Layer 2 (Conv2d): kernel_size is missing"
    table = {"Layer {i} ({type}): {reason}": "L{i}/{type}: {reason}", "{name} is missing": "missing {name}"}
    assert translate(m, lambda t: table.get(t, t)) == "L2/Conv2d: missing kernel_size"
    assert translate(m, lambda t: "{broken") == str(m)  # a broken translation never hides the message
