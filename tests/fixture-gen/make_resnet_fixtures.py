"""OpenCLIP parity fixture for a tiny ModifiedResNet (RN50-style) CLIP image tower, computed with the reference OpenCLIP.

Writes one fixture set (default folder tests/fixtures/openclip-rn/) in the format of ../shared/fixtures/openclip:

    manifest.json                          fixture_set, made_by, made_at, seconds, environment, conventions, models, files
    models/oc-tiny-rn-a/oc-tiny-rn-a.json  OpenCLIP model config (vision_cfg.layers is a list -> ModifiedResNet)
    models/oc-tiny-rn-a/weights.safetensors  state_dict() exactly: parameters and BatchNorm running stats F16 (fp16-exact),
                                           BatchNorm num_batches_tracked I64
    models/oc-tiny-rn-a/captions.json      the 4 captions
    models/oc-tiny-rn-a/input_images/*.png the 4 source images (synthetic, drawn here from the seed)
    models/oc-tiny-rn-a/inputs.safetensors image (eval preprocess of the PNGs), text (SimpleTokenizer ids)
    models/oc-tiny-rn-a/outputs.safetensors eval-mode features, logits, losses, forward-hook intermediates
    models/oc-tiny-rn-a/adamw_step.safetensors one train-mode AdamW step: loss, grad.*/after.* of tracked parameters,
                                           plus every BatchNorm buffer after the step (buffer_after.*) and the image
                                           features of the train-mode forward (train_forward.*)

How the model is built (mirrors the shared cases' init_note, plus BatchNorm state that is not the identity):
  1. torch.manual_seed(SEED); open_clip.create_model(NAME, pretrained=None, output_dict=True).
  2. Every BatchNorm2d of the image tower gets affine params weight = 1 + 0.2*N(0,1), bias = 0.1*N(0,1) (generator
     SEED+2). This replaces OpenCLIP's zero init of each Bottleneck's bn3.weight, so every residual branch is live.
  3. Running statistics are calibrated on 2 batches of 8 N(0,1) images (generator SEED+4) in train mode with
     momentum=None (cumulative average of batch statistics, so they are on the scale the activations really have),
     then perturbed so that eval-mode BN (running stats) and train-mode BN (batch stats) clearly differ:
     running_mean += 0.25*sqrt(running_var)*N(0,1), running_var *= U(0.6, 1.6) (generator SEED+5). momentum is set
     back to OpenCLIP's default 0.1; num_batches_tracked is left at the calibration count (2).
  4. Every parameter and every floating-point buffer is rounded to fp16 (x.copy_(x.half().float())); weights are
     stored F16 (lossless), num_batches_tracked I64.
  5. Reference outputs come from a second model (torch.manual_seed(SEED+100), create_model) loaded with
     open_clip.load_checkpoint(model, weights.safetensors, strict=True).

Run (the reference chroot of ../shared/peer/setup.sh; it sees only /tmp/peers/scratch):
    bash tests/fixture-gen/run.sh rn          # writes tests/fixtures/openclip-rn/
or by hand:
    mkdir -p /tmp/peers/scratch/rn-gen && cp tests/fixture-gen/make_resnet_fixtures.py /tmp/peers/scratch/rn-gen/
    cd /tmp/peers/scratch/rn-gen && nice -n 19 /work/shared/peer/peer_python.sh make_resnet_fixtures.py --out out
    nice -n 19 /work/shared/peer/peer_python.sh make_resnet_fixtures.py --verify out   # re-check only (sha256/sizes, reload)
--out also runs the --verify checks on what it wrote. The output is deterministic except manifest.json's made_at,
seconds and environment.platform.
"""
import argparse
import datetime
import hashlib
import json
import math
import os
import platform
import sys
import time

import numpy as np
import open_clip
import PIL
import safetensors
import torch
import torch.nn.functional as F
from PIL import Image, ImageDraw
from safetensors.torch import load_file, save_file
from open_clip.loss import ClipLoss
from open_clip.task import CLIPTask
from open_clip.transform import PreprocessCfg, image_transform_v2

import openclip_adamw
from openclip_adamw import ADAMW

FIXTURE_SET = "openclip-rn"
NAME = "oc-tiny-rn-a"
SEED = 1301
BATCH = 4

# ModifiedResNet image tower: width 8 (stem 4 -> 4 -> 8 channels, stages of 8/16/32/64 planes, x4 expansion, so the
# attention pool works on 256 channels over a 2x2 map + the mean token, 256 / head_width 32 = 8 heads) and layers
# [1, 2, 1, 1]: layer1.0 has a stride-1 downsample (AvgPool2d(1) + 1x1 conv + BN, channels 8 -> 32), layer2.0 /
# layer3.0 / layer4.0 stride-2 downsamples, and layer2.1 an identity shortcut. Text tower as the shared oc-tiny-vit-a
# but width 16 (the 49408-row token embedding dominates the file size). quick_gelu as OpenAI's RN models (it only
# affects the text tower: the ResNet has ReLUs).
CONFIG = {
    "embed_dim": 64,
    "quick_gelu": True,
    "vision_cfg": {"image_size": 64, "layers": [1, 2, 1, 1], "width": 8, "head_width": 32, "patch_size": None},
    "text_cfg": {"context_length": 77, "vocab_size": 49408, "width": 16, "heads": 2, "layers": 2},
}
CAPTIONS = [
    "a photo of a striped cat on a red sofa",
    "Three BOATS in a harbour, early morning fog!",
    "a bowl of fruit: two pears, an orange & grapes (close-up)",
    # longer than 77 tokens: truncated, the last position holds the end token
    "a very long caption " + " ".join(f"with clause number {i} about the picture" for i in range(16)),
]
# (mode, (width, height)) of the source images: landscape, portrait, grayscale at the model size, wide
IMAGES = [("RGB", (96, 72)), ("RGB", (72, 96)), ("L", (64, 64)), ("RGB", (120, 60))]
# forward hooks (eval): the stem output (visual.avgpool is the stem's last module), each stage, the attention pool,
# and the text tower's blocks / final LN as the shared clip cases record them
INTER = ["visual.avgpool", "visual.layer1", "visual.layer2", "visual.layer3", "visual.layer4", "visual.attnpool",
         "transformer.resblocks.0", "transformer.resblocks.1", "ln_final"]
# matrices tracked in the AdamW record besides every 1-D image-tower parameter (see tracked()); the big ones (q/k_proj,
# layer4 convs) are left out to keep the file small. visual.attnpool.positional_embedding is 2-D and, ModifiedResNet
# having no no_weight_decay(), OpenCLIP decays it (param_groups "wd")
TRACKED_MATRICES = [
    "positional_embedding", "text_projection", "visual.conv1.weight", "visual.conv2.weight", "visual.conv3.weight",
    "visual.layer1.0.conv1.weight", "visual.layer1.0.downsample.0.weight", "visual.layer2.1.conv2.weight",
    "visual.layer2.0.downsample.0.weight", "visual.layer3.0.conv3.weight", "visual.attnpool.positional_embedding",
    "visual.attnpool.v_proj.weight", "visual.attnpool.c_proj.weight", "transformer.resblocks.0.attn.out_proj.weight",
]
TRACKED_TEXT_1D = ["logit_scale", "transformer.resblocks.1.mlp.c_fc.bias", "ln_final.weight"]

PARAM_DESC = "parameter (OpenCLIP state_dict key); values are exactly representable in fp16, upcast to float32 to load (model runs in fp32)"
STEP_DESC = ("grad.<name>: gradient after backward; after.<name>: parameter after opt.step() + clamp_logit_scale (the value "
             "before the step is weights.safetensors[<name>]); for vocab-sized parameters (token_embedding.weight) only the "
             "rows listed in token_embedding.weight.rows are stored")


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read())
    return h.hexdigest()


def dtype_name(t):
    return str(t.dtype).replace("torch.", "")


def create(name):
    return open_clip.create_model(name, pretrained=None, output_dict=True)


def batchnorms(model):
    return [(n, m) for n, m in model.named_modules() if isinstance(m, torch.nn.BatchNorm2d)]


def init_weights(model):
    """Steps 2-4 of the module docstring: BN affine params, calibrated + perturbed running stats, fp16 rounding."""
    bns = batchnorms(model)
    g = torch.Generator().manual_seed(SEED + 2)
    with torch.no_grad():
        for _, bn in bns:
            bn.weight.copy_(1.0 + 0.2 * torch.randn(bn.weight.shape, generator=g))
            bn.bias.copy_(0.1 * torch.randn(bn.bias.shape, generator=g))
        # calibration: cumulative average of batch statistics over 2 random batches (train mode, no grad)
        for _, bn in bns:
            bn.reset_running_stats()
            bn.momentum = None
        gc = torch.Generator().manual_seed(SEED + 4)
        size = CONFIG["vision_cfg"]["image_size"]
        model.visual.train()
        for _ in range(2):
            model.visual(torch.randn(8, 3, size, size, generator=gc))
        model.visual.eval()
        gp = torch.Generator().manual_seed(SEED + 5)
        for _, bn in bns:
            bn.momentum = 0.1  # OpenCLIP's (nn.BatchNorm2d's) default, used by the train-mode step below
            std = bn.running_var.sqrt()
            bn.running_mean.add_(0.25 * std * torch.randn(bn.running_mean.shape, generator=gp))
            bn.running_var.mul_(0.6 + 1.0 * torch.rand(bn.running_var.shape, generator=gp))
        for p in model.parameters():
            p.copy_(p.half().float())
        for b in model.buffers():
            if b.is_floating_point():
                b.copy_(b.half().float())
    model.eval()


def draw_images(folder):
    """4 synthetic PNGs: a smooth colour gradient, rectangles and mild noise (numpy generator SEED+3)."""
    rng = np.random.default_rng(SEED + 3)
    paths = []
    for i, (mode, (w, h)) in enumerate(IMAGES):
        y, x = np.mgrid[0:h, 0:w].astype(np.float64)
        c0, c1, c2 = rng.uniform(0, 255, 3), rng.uniform(0, 255, 3), rng.uniform(0, 255, 3)
        a = (x / (w - 1))[..., None]
        b = (y / (h - 1))[..., None]
        img = c0 * (1 - a) * (1 - b) + c1 * a + c2 * b * (1 - a)
        img = np.clip(img + rng.normal(0, 6, img.shape), 0, 255).astype(np.uint8)
        im = Image.fromarray(img, "RGB")
        d = ImageDraw.Draw(im)
        for _ in range(4):
            x0, y0 = int(rng.integers(0, w - 8)), int(rng.integers(0, h - 8))
            x1, y1 = x0 + int(rng.integers(4, w // 3)), y0 + int(rng.integers(4, h // 3))
            d.rectangle([x0, y0, x1, y1], fill=tuple(int(v) for v in rng.integers(0, 256, 3)))
        if mode != "RGB":
            im = im.convert(mode)
        p = os.path.join(folder, f"{i}.png")
        im.save(p, optimize=False)
        paths.append(p)
    return paths


def intermediates(model, image, text):
    out, hooks = {}, []
    modules = dict(model.named_modules())
    for n in INTER:
        hooks.append(modules[n].register_forward_hook(lambda m, i, o, n=n: out.__setitem__("inter." + n, o.detach().clone())))
    model(image, text)
    for h in hooks:
        h.remove()
    return out


def outputs(model, image, text):
    """The shared clip cases' outputs.safetensors keys, eval mode, no_grad."""
    with torch.no_grad():
        r = {
            "image_features_raw": model.encode_image(image, normalize=False),
            "image_features": model.encode_image(image, normalize=True),
            "text_features_raw": model.encode_text(text, normalize=False),
            "text_features": model.encode_text(text, normalize=True),
            "logit_scale_param": model.logit_scale.detach(),
            "logit_scale": model.logit_scale.exp().detach(),
        }
        fwd = model(image, text)
        assert torch.equal(fwd["image_features"], r["image_features"]) and torch.equal(fwd["text_features"], r["text_features"])
        r["logits_per_image"] = r["logit_scale"] * r["image_features"] @ r["text_features"].T
        r["logits_per_text"] = r["logits_per_image"].T
        r["clip_loss"] = ClipLoss()(r["image_features"], r["text_features"], r["logit_scale"])
        r["total_loss"] = r["clip_loss"]
        r.update(intermediates(model, image, text))
    return {k: v.float().clone().contiguous() for k, v in r.items()}


def tracked(model):
    """Every 1-D image-tower parameter (all BatchNorm gains/biases: their gradients go through the batch statistics in
    train mode; the attention-pool biases, k_proj.bias's gradient being analytically zero), chosen matrices, a few text
    parameters and token_embedding rows; in named_parameters() order."""
    keep = []
    for n, p in model.named_parameters():
        if n == "token_embedding.weight":
            keep.append(n + "[rows]")
        elif (n.startswith("visual.") and p.ndim <= 1) or n in TRACKED_MATRICES or n in TRACKED_TEXT_1D:
            keep.append(n)
    return keep


def adamw_step(model, image, text, rows):
    """One OpenCLIP training step in train mode (BatchNorm normalizes with batch statistics and updates its running
    statistics once, in the training forward): CLIPTask.training_forward -> backward -> AdamW (create_optimizer) ->
    clamp_logit_scale; loss_after is a second train-mode forward under no_grad (it updates the running stats again,
    after buffer_after.* were recorded)."""
    opt, groups = openclip_adamw.create(model)
    task = CLIPTask(model, verbose=False)
    batch = {"image": image, "text": text}
    seen = {}
    hook = model.visual.register_forward_hook(lambda m, i, o: seen.__setitem__("raw", o.detach().clone()))
    model.train()
    losses, _ = task.training_forward(batch)
    hook.remove()
    loss = losses["loss"]
    loss.backward()
    keys = tracked(model)
    params = dict(model.named_parameters())

    def value(key, grad):
        name = key[:-len("[rows]")] if key.endswith("[rows]") else key
        t = params[name].grad if grad else params[name].detach()
        return t.index_select(0, rows).clone() if key.endswith("[rows]") else t.clone()

    r = {"loss_before": loss.detach().clone(), "loss_before.contrastive_loss": losses["contrastive_loss"].detach().clone(),
         "train_forward.image_features_raw": seen["raw"], "train_forward.image_features": F.normalize(seen["raw"], dim=-1)}
    for k in keys:
        r["grad." + k] = value(k, True)
    opt.step()
    task.clamp_logit_scale()
    for k in keys:
        r["after." + k] = value(k, False)
    r["token_embedding.weight.rows"] = rows
    for n, b in model.named_buffers():
        if n.startswith("visual.") and ("running_" in n or "num_batches_tracked" in n):
            r["buffer_after." + n] = b.detach().clone()
    with torch.no_grad():
        r["loss_after"] = task.training_forward(batch)[0]["loss"].detach()
    adamw = openclip_adamw.describe(groups, "torch.optim.AdamW via open_clip_train.optim.create_optimizer (foreach/fused defaults on CPU)")
    return {k: v.clone().contiguous() for k, v in r.items()}, adamw, keys


def describe_step(step):
    d = {}
    for k, v in step.items():
        if k == "loss_before":
            s = 'losses["loss"] of task.training_forward before the step (train mode: BatchNorm uses batch statistics)'
        elif k == "loss_before.contrastive_loss":
            s = 'losses["contrastive_loss"] of that forward (== loss_before for CLIP)'
        elif k.startswith("train_forward."):
            s = ("model.visual output during that train-mode forward (BatchNorm with batch statistics, biased variance), "
                 + ("raw" if k.endswith("_raw") else "L2-normalized"))
        elif k == "token_embedding.weight.rows":
            s = "row indices of token_embedding.weight stored in grad./after.token_embedding.weight[rows]"
        elif k.startswith("buffer_after."):
            s = ("BatchNorm buffer after the training forward + step (before loss_after's forward): running_mean/var = "
                 "0.9*before + 0.1*batch mean / unbiased batch variance (momentum 0.1), num_batches_tracked = before + 1; "
                 "the value before is weights.safetensors[<name>]")
        elif k == "loss_after":
            s = 'losses["loss"] after one AdamW step (same batch, train mode, no grad)'
        else:
            s = STEP_DESC
        d[k] = {"dtype": dtype_name(v), "shape": list(v.shape), "description": s}
    return d


OUT_DESC = {
    "image_features_raw": "model.encode_image(image, normalize=False)",
    "image_features": 'model.encode_image(image, normalize=True) (== forward()["image_features"])',
    "text_features_raw": "model.encode_text(text, normalize=False)",
    "text_features": "model.encode_text(text, normalize=True)",
    "logit_scale_param": "model.logit_scale (log-space parameter)",
    "logit_scale": 'forward()["logit_scale"] = logit_scale.exp()',
    "logits_per_image": "logit_scale.exp() * image_features @ text_features.T  [B_img, B_txt]",
    "logits_per_text": "logits_per_image.T",
    "clip_loss": "open_clip.loss.ClipLoss()(image_features, text_features, logit_scale.exp()) (world_size 1)",
    "total_loss": 'sum of the *_loss terms as open_clip.task returns in losses["loss"]',
}


def make_case(out):
    folder = os.path.join(out, "models", NAME)
    os.makedirs(os.path.join(folder, "input_images"), exist_ok=True)
    cfg_path = os.path.join(folder, NAME + ".json")
    with open(cfg_path, "w") as f:
        json.dump(CONFIG, f, indent=4)
    open_clip.add_model_config(cfg_path)
    files = {}

    torch.manual_seed(SEED)
    model = create(NAME)
    assert type(model.visual).__name__ == "ModifiedResNet", type(model.visual)
    init_weights(model)
    sd = {k: (v.detach().half() if v.is_floating_point() else v.detach()).contiguous() for k, v in model.state_dict().items()}
    for k, v in model.state_dict().items():
        assert torch.equal(sd[k].to(v.dtype), v), k  # fp16 storage is lossless
    w_path = os.path.join(folder, "weights.safetensors")
    save_file(sd, w_path)

    # reference: a second, differently seeded model after a strict load of the file
    torch.manual_seed(SEED + 100)
    ref = create(NAME)
    open_clip.load_checkpoint(ref, w_path, strict=True)
    for k, v in model.state_dict().items():
        assert torch.equal(ref.state_dict()[k], v), k
    ref.eval()

    pp = image_transform_v2(PreprocessCfg(**ref.visual.preprocess_cfg), is_train=False)
    img_paths = draw_images(os.path.join(folder, "input_images"))
    image = torch.stack([pp(Image.open(p)) for p in img_paths])
    tokenizer = open_clip.get_tokenizer(NAME)
    text = tokenizer(CAPTIONS)
    with open(os.path.join(folder, "captions.json"), "w") as f:
        json.dump(CAPTIONS, f, indent=1)
    save_file({"image": image.contiguous(), "text": text.contiguous()}, os.path.join(folder, "inputs.safetensors"))
    outs = outputs(ref, image, text)
    save_file(outs, os.path.join(folder, "outputs.safetensors"))

    first = [t for t in text[0].tolist() if t not in (0, 49406, 49407)][:3]
    rows = torch.tensor(sorted({0, 1, 256, 500, 49406, 49407} | set(first)), dtype=torch.long)
    step, adamw, keys = adamw_step(ref, image, text, rows)
    save_file(step, os.path.join(folder, "adamw_step.safetensors"))

    # manifest "files" entries (sha256/bytes filled in by write_manifest)
    rel = lambda p: os.path.relpath(p, out)
    files[rel(cfg_path)] = {"description": "OpenCLIP model config (open_clip/model_configs format); register with "
                            "open_clip.add_model_config(<this file or dir>) and open_clip.create_model(name); "
                            "vision_cfg.layers is a list -> ModifiedResNet image tower"}
    files[rel(w_path)] = {
        "format": "safetensors",
        "description": f"{NAME} weights: OpenCLIP random init (torch.manual_seed({SEED}) before create_model), BatchNorm "
                       "affine params and running statistics set as init_note says, every parameter and float buffer rounded "
                       "to nearest fp16; state_dict() keys exactly (BatchNorm running_mean / running_var / num_batches_tracked "
                       "included); floats stored F16 (lossless), num_batches_tracked I64",
        "tensors": {k: {"dtype": dtype_name(v), "shape": list(v.shape), "description":
                        PARAM_DESC if k in dict(model.named_parameters()) else
                        ("BatchNorm buffer (OpenCLIP state_dict key): number of train-mode forwards counted (int64 scalar)"
                         if k.endswith("num_batches_tracked") else
                         "BatchNorm buffer (OpenCLIP state_dict key) used by eval-mode BN; fp16-exact, upcast to float32 to load")}
                    for k, v in sd.items()},
    }
    for i, (p, (mode, size)) in enumerate(zip(img_paths, IMAGES)):
        files[rel(p)] = {"description": f"source image {i} of the input batch (mode {mode}, size {size}); "
                                        f"inputs.safetensors:image[{i}] = model eval preprocess of this file"}
    files[rel(os.path.join(folder, "captions.json"))] = {
        "description": f'the {BATCH} caption strings; inputs.safetensors:text = open_clip.get_tokenizer("{NAME}")(captions)'}
    pp_list = str(pp).replace("Compose(\n    ", "[").replace("\n    ", ", ").replace("\n)", "]")
    files[rel(os.path.join(folder, "inputs.safetensors"))] = {
        "format": "safetensors", "description": f"{NAME} fixed input batch",
        "tensors": {"image": {"dtype": "float32", "shape": list(image.shape),
                              "description": f"float32 [B,3,H,W]: model eval preprocess ({pp_list}) of input_images/*.png"},
                    "text": {"dtype": "int64", "shape": list(text.shape),
                             "description": "int64 [B,77]: OpenCLIP SimpleTokenizer ids, context_length 77"}}}
    files[rel(os.path.join(folder, "outputs.safetensors"))] = {
        "format": "safetensors", "description": f"{NAME} reference outputs, model.eval() (BatchNorm uses the running "
                                                "statistics of weights.safetensors), torch.no_grad(), fp32, 2 threads",
        "tensors": {k: {"dtype": dtype_name(v), "shape": list(v.shape), "description": OUT_DESC.get(k) or
                        f'forward hook output of module "{k[6:]}" during model(image, text) in eval mode (batch-first)'
                        + (" (the stem output: act3(bn3(conv3(...))) then AvgPool2d(2))" if k == "inter.visual.avgpool" else "")
                        + (" (pooled features, = image_features_raw)" if k == "inter.visual.attnpool" else "")}
                    for k, v in outs.items()}}
    files[rel(os.path.join(folder, "adamw_step.safetensors"))] = {
        "format": "safetensors",
        "description": f"{NAME}: one optimisation step from the weights above in train mode: task.training_forward (CLIPTask) "
                       f"-> loss.backward() -> torch.optim.AdamW via open_clip_train.optim.create_optimizer({ADAMW}) -> "
                       "task.clamp_logit_scale(); no LR schedule (lr fixed at 1e-3), no grad clipping, fp32. BatchNorm in "
                       "train mode normalizes with the batch statistics (biased variance) and updates its running "
                       "statistics (buffer_after.*)",
        "tensors": describe_step(step)}

    n_params = sum(p.numel() for p in ref.parameters())
    entry = {
        "name": NAME, "kind": "clip", "config": f"models/{NAME}/{NAME}.json", "seed": SEED, "batch": BATCH,
        "init_note": "torch.manual_seed(seed); open_clip.create_model(name, pretrained=None, output_dict=True); every "
                     "BatchNorm2d of the image tower: weight = 1 + 0.2*N(0,1), bias = 0.1*N(0,1) (generator seed+2; replaces "
                     "OpenCLIP's zero init of Bottleneck bn3.weight), running stats calibrated as the cumulative average "
                     "(momentum=None) of batch statistics over 2 train-mode batches of 8 N(0,1) images (generator seed+4), "
                     "then running_mean += 0.25*sqrt(running_var)*N(0,1), running_var *= U(0.6, 1.6) (generator seed+5), "
                     "momentum back to 0.1, num_batches_tracked left at 2; then every parameter and float buffer rounded "
                     "to fp16 (x.copy_(x.half().float())). Reference outputs come from a second model (seed+100) loaded "
                     "with open_clip.load_checkpoint(model, weights.safetensors, strict=True).",
        "uninitialised_params_fixed": {},
        "architecture": "ModifiedResNet image tower (vision_cfg.layers is a list): 3-conv stem (conv1 stride 2) + BN + ReLU, "
                        "AvgPool2d(2); Bottleneck stages (stride via AvgPool2d; downsample = AvgPool2d(stride) + 1x1 conv + BN, "
                        "keys downsample.0 / downsample.1); AttentionPool2d (mean token + 2x2 map, positional embedding, "
                        f"{CONFIG['vision_cfg']['width'] * 32 // CONFIG['vision_cfg']['head_width']} heads, output = token 0)",
        "batchnorm": {
            "eval": "outputs.safetensors: model.eval(), BN normalizes with running_mean / running_var of weights.safetensors (eps 1e-5)",
            "train": "adamw_step.safetensors: model.train(), BN normalizes with the batch's per-channel mean and biased variance "
                     "(over N, H, W) and updates running_mean/var with momentum 0.1 (unbiased variance), num_batches_tracked += 1; "
                     "buffer_after.<buffer> holds every BN buffer after the training forward + step (before loss_after's forward, "
                     "which is a second train-mode forward and updates them again); BN weight/bias are trained (no weight decay, 1-D)",
            "n_batchnorm_layers": len(batchnorms(ref)),
        },
        "context_length": CONFIG["text_cfg"]["context_length"],
        "captions": CAPTIONS,
        "image_preprocess": str(pp),
        "tokenizer": type(tokenizer).__name__,
        "n_params": n_params,
        "adamw": adamw,
        "coca_loss_weights": None,
        "tracked_params": keys,
        "token_embedding_rows": rows.tolist(),
        "values": {
            "clip_loss": outs["clip_loss"].item(), "total_loss": outs["total_loss"].item(), "logit_scale": outs["logit_scale"].item(),
            "caption_loss_weighted": None, "loss_before_step": step["loss_before"].item(), "loss_after_step": step["loss_after"].item(),
        },
    }
    return entry, files


def environment():
    import ftfy
    import torchvision
    env = {"python": platform.python_version(), "torch": torch.__version__, "torchvision": torchvision.__version__,
           "pillow": PIL.__version__, "numpy": np.__version__, "safetensors": safetensors.__version__,
           "ftfy": ftfy.__version__, "open_clip": open_clip.__version__, "torch_threads": torch.get_num_threads(),
           "platform": platform.platform(), "deterministic_algorithms": True, "ftfy_file": ftfy.__file__}
    head = os.path.join(os.path.dirname(open_clip.__file__), "..", "..", ".git", "HEAD")
    if os.path.exists(head):
        with open(head) as f:
            env["commits"] = {"open_clip": f.read().strip()}
    return env


def write_manifest(out, entry, files, seconds):
    for rel, d in files.items():
        p = os.path.join(out, rel)
        d["bytes"] = os.path.getsize(p)
        d["sha256"] = sha256(p)
    manifest = {
        "fixture_set": FIXTURE_SET,
        "made_by": "tests/fixture-gen/make_resnet_fixtures.py (bash tests/fixture-gen/run.sh rn)",
        "made_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S"),
        "seconds": round(seconds, 1),
        "environment": environment(),
        "conventions": {
            "safetensors": "standard format (8-byte LE header length, JSON header, raw LE data); dtypes F16/F32/I64",
            "layout": "all tensors row-major, batch-first; image tensors NCHW float32",
            "outputs": "as ../shared/fixtures/openclip: model.eval(), no_grad, fp32; inter.<module> = forward-hook output of "
                       "that OpenCLIP module during model(image, text)",
            "batchnorm": "weights.safetensors holds every BatchNorm buffer (running_mean, running_var F16; num_batches_tracked "
                         "I64); eval outputs use the running statistics, the AdamW step runs in train mode (batch statistics, "
                         "running-stat update recorded as adamw_step.safetensors:buffer_after.*)",
            "suggested_tolerances": "fp32 CPU parity: features/logits atol 1e-5 rtol 1e-4 (logits scale by ~14); losses 1e-5; "
                                    "after-step params 1e-6 (AdamW first step moves each weight by ~lr); BN buffers after the "
                                    "step atol 1e-6 rtol 1e-5",
        },
        "models": [entry],
        "files": files,
    }
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")


def verify(out):
    """Re-checks the written set: manifest parses, every file's bytes/sha256 and tensor dtypes/shapes, no stray files,
    and a strict reload of weights.safetensors into a fresh OpenCLIP model reproduces outputs.safetensors exactly."""
    with open(os.path.join(out, "manifest.json")) as f:
        m = json.load(f)
    on_disk = {os.path.relpath(os.path.join(d, n), out) for d, _, ns in os.walk(out) for n in ns} - {"manifest.json"}
    assert on_disk == set(m["files"]), on_disk ^ set(m["files"])
    for rel, d in m["files"].items():
        p = os.path.join(out, rel)
        assert os.path.getsize(p) == d["bytes"] and sha256(p) == d["sha256"], rel
        if d.get("format") == "safetensors":
            t = load_file(p)
            assert set(t) == set(d["tensors"]), rel
            for k, v in t.items():
                assert dtype_name(v) == d["tensors"][k]["dtype"] and list(v.shape) == d["tensors"][k]["shape"], (rel, k)
    for e in m["models"]:
        cfg = os.path.join(out, e["config"])
        case = os.path.dirname(cfg)
        open_clip.add_model_config(cfg)
        model = create(e["name"])
        open_clip.load_checkpoint(model, os.path.join(case, "weights.safetensors"), strict=True)
        model.eval()
        x = load_file(os.path.join(case, "inputs.safetensors"))
        ref = load_file(os.path.join(case, "outputs.safetensors"))
        got = outputs(model, x["image"], x["text"])
        bad = [k for k in ref if not torch.equal(ref[k], got[k])]
        worst = max((ref[k] - got[k]).abs().max().item() for k in ref)
        print(f"{e['name']}: {len(ref)} outputs, max |diff| {worst:g}, not bit-identical: {bad or 'none'}", file=sys.stderr)
        assert worst <= 1e-6, bad
    print(f"verified {len(m['files'])} files", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", help="folder to write the fixture set into")
    ap.add_argument("--verify", help="check a written fixture set instead")
    a = ap.parse_args()
    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    if a.verify:
        verify(a.verify)
        return
    start = time.time()
    os.makedirs(a.out, exist_ok=True)
    entry, files = make_case(a.out)
    write_manifest(a.out, entry, files, time.time() - start)
    verify(a.out)
    print(f"{NAME} in {time.time() - start:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
