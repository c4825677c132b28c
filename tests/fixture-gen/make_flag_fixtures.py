"""Parity fixtures for every architecture flag ClipSharp's config reader accepts, computed with the reference OpenCLIP.

One tiny model per flag (or flag combination), in the format of ../shared/fixtures/openclip (manifest.json "models"
entries of kind "clip", per-model folder with <name>.json config, weights.safetensors (fp16-exact, stored F16),
inputs.safetensors, outputs.safetensors, adamw_step.safetensors). Differences from the shared set, to stay at tens of
KiB per model: a 64-token vocabulary, so inputs are token ids (no tokenizer, no images: random N(0,1) pixels); the
AdamW fixture tracks a subset of parameters (tracked_params). Every 1-D parameter (biases, LayerNorm gains, LayerScale
gammas, logit_bias) is perturbed before the fp16 rounding, so that bias and gain handling is actually exercised.

Flags OpenCLIP's config schema (CLIPTextCfg) does not take (use_pad_mask, correct_cls_mask) are stripped before
open_clip.create_model and set on the built text tower (TextTransformer reads them at forward time); the entry's
openclip_attributes names them.

Run: bash tests/fixture-gen/run.sh flags   (writes tests/fixtures/openclip-flags/)
"""
import argparse
import datetime
import json
import math
import os
import platform
import re
import sys
import time

import numpy as np
import open_clip
import torch
import torch.nn.functional as F
from safetensors.torch import save_file
from open_clip.loss import ClipLoss, SigLipLoss

import openclip_adamw
from flag_cases import BASE, BATCH, CASES, COCA_WEIGHTS, CTX, EOT, OPENCLIP_ATTRIBUTES, VOCAB


def build_config(deltas):
    cfg = json.loads(json.dumps(BASE))
    cfg.update(deltas.get("model", {}))
    for tower in ("vision_cfg", "text_cfg"):
        cfg[tower].update(deltas.get(tower, {}))
    return cfg


def create(name, cfg, folder):
    """open_clip.create_model from the config file (flags it does not take are set as attributes afterwards)."""
    oc = json.loads(json.dumps(cfg))
    attrs = {k: oc["text_cfg"].pop(k) for k in OPENCLIP_ATTRIBUTES if k in oc["text_cfg"]}
    tmp = os.path.join(folder, "_openclip_cfg")
    os.makedirs(tmp, exist_ok=True)
    with open(os.path.join(tmp, name + ".json"), "w") as f:
        json.dump(oc, f)
    open_clip.add_model_config(tmp)
    model = open_clip.create_model(name, pretrained=None, output_dict=True)
    text = model.text if hasattr(model, "text") else None
    for k, v in attrs.items():
        assert text is not None, f"{k} needs a custom text tower"
        if k == "use_pad_mask":
            v = v and oc["text_cfg"].get("no_causal_mask", False)  # what TextTransformer.__init__ would store
        setattr(text, k, v)
    return model, attrs


def init_weights(model, seed):
    """Perturb every 1-D parameter (so biases / gains / gammas matter), then round every parameter to fp16. CoCa's
    text_decoder.text_projection is left uninitialised (torch.empty) by OpenCLIP: it gets N(0, width^-0.5)."""
    g = torch.Generator().manual_seed(seed + 2)
    with torch.no_grad():
        if hasattr(model, "text_decoder"):
            p = model.text_decoder.text_projection
            p.copy_(torch.randn(p.shape, generator=torch.Generator().manual_seed(seed + 1)) * p.shape[0] ** -0.5)
        for n, p in model.named_parameters():
            if p.ndim <= 1 and n not in ("logit_scale", "logit_bias"):
                p.add_(0.1 * torch.randn(p.shape, generator=g))
            p.copy_(p.half().float())


def make_inputs(seed, cfg):
    g = torch.Generator().manual_seed(seed + 3)
    size = cfg["vision_cfg"]["image_size"]
    image = torch.randn(BATCH, 3, size, size, generator=g)
    text = torch.full((BATCH, CTX), cfg["text_cfg"].get("pad_id", 0), dtype=torch.long)
    eos = cfg["text_cfg"].get("eos_id")
    lengths = [3, CTX, 5, 2]  # row 1 fills the context: its end token is at the last position
    for i, n in enumerate(lengths):
        body = torch.randint(6, EOT, (n - 1,), generator=g)
        text[i, :n - 1] = body
        text[i, n - 1] = eos if eos is not None else EOT
    if eos is not None:
        text[0, 4] = EOT  # a higher id after the eos token: eos pooling must not follow argmax
    return image, text


INTER = [r"visual\.conv1", r"visual\.ln_pre", r"visual\.transformer\.resblocks\.\d+", r"visual\.attn_pool", r"visual\.ln_post",
         r"(text\.)?transformer\.resblocks\.\d+", r"(text\.)?ln_final", r"text_decoder\.(resblocks|cross_attn)\.\d+",
         r"text_decoder\.ln_final"]


def intermediates(model, image, text):
    """Forward-hook outputs of the modules the shared fixtures record (ln_pre recorded even as nn.Identity)."""
    out, hooks = {}, []
    for n, m in model.named_modules():
        if any(re.fullmatch(p, n) for p in INTER):
            hooks.append(m.register_forward_hook(lambda m, i, o, n=n: out.__setitem__("inter." + n, o.detach().clone())))
    model(image, text)
    for h in hooks:
        h.remove()
    return out


def coca_losses(o, text):
    logits, labels = o["logits"][:, :-1], text[:, 1:]
    cap = F.cross_entropy(logits.permute(0, 2, 1), labels, ignore_index=0)
    clip = ClipLoss()(o["image_features"], o["text_features"], o["logit_scale"])
    return {"caption_loss_unweighted": cap, "caption_loss_weighted": COCA_WEIGHTS["caption_loss_weight"] * cap,
            "clip_loss": COCA_WEIGHTS["clip_loss_weight"] * clip}


def compute_loss(model, image, text, siglip):
    o = model(image, text)
    if "logits" in o:
        l = coca_losses(o, text)
        return l["caption_loss_weighted"] + l["clip_loss"]
    if siglip:
        return SigLipLoss()(o["image_features"], o["text_features"], o["logit_scale"], o["logit_bias"])
    return ClipLoss()(o["image_features"], o["text_features"], o["logit_scale"])


def coca_outputs(model, image, text):
    o = model(image, text)
    logits = o["logits"]
    labels = text[:, 1:]
    r = coca_losses(o, text)
    r["total_loss"] = r["caption_loss_weighted"] + r["clip_loss"]
    r.update({"logits_slice": logits[:, :, :64], "logits_logsumexp": logits.logsumexp(-1), "logits_argmax": logits.argmax(-1),
              "caption_labels": labels, "logits_at_labels": logits[:, :-1].gather(-1, labels.unsqueeze(-1)).squeeze(-1),
              "image_embs": model._encode_image(image)[1], "text_token_embs": model._encode_text(text)[1]})
    return r


def outputs(model, image, text, siglip):
    with torch.no_grad():
        r = {
            "image_features_raw": model.encode_image(image, normalize=False), "image_features": model.encode_image(image, normalize=True),
            "text_features_raw": model.encode_text(text, normalize=False), "text_features": model.encode_text(text, normalize=True),
            "logit_scale_param": model.logit_scale.detach(), "logit_scale": model.logit_scale.exp().detach(),
        }
        lpi = r["logit_scale"] * r["image_features"] @ r["text_features"].T  # as CLIP.get_logits (CoCa has none)
        if siglip:
            lpi = lpi + model.logit_bias
        lpt = lpi.T
        r.update({"logits_per_image": lpi, "logits_per_text": lpt})
        r["clip_loss"] = ClipLoss()(r["image_features"], r["text_features"], r["logit_scale"])
        if hasattr(model, "text_decoder"):
            r.update(coca_outputs(model, image, text))
        if siglip:
            r["logit_bias"] = model.logit_bias.detach()
            r["siglip_loss"] = SigLipLoss()(r["image_features"], r["text_features"], r["logit_scale"], model.logit_bias)
        r.setdefault("total_loss", r["siglip_loss"] if siglip else r["clip_loss"])
        r.update(intermediates(model, image, text))
    return {k: (v.float() if v.is_floating_point() else v).clone().contiguous() for k, v in r.items()}


def tracked(model):
    """1-D/0-D parameters (biases, gains, gammas, scales), projections, pooler, token rows, the last blocks' qkv weights."""
    keep = []
    for n, p in model.named_parameters():
        if n.endswith("token_embedding.weight"):
            keep.append(n + "[rows]")
        elif p.ndim <= 1 or "proj" == n.split(".")[-1] or n.endswith("text_projection") or "attn_pool" in n \
                or n.endswith("resblocks.1.attn.in_proj_weight"):
            keep.append(n)
    return keep


def adamw_step(model, image, text, siglip, rows):
    opt, groups = openclip_adamw.create(model)
    model.train()
    loss = compute_loss(model, image, text, siglip)
    loss.backward()
    keys = tracked(model)
    params = dict(model.named_parameters())
    r = {"loss_before": loss.detach().clone()}

    def value(key, grad):
        name = key[:-len("[rows]")] if key.endswith("[rows]") else key
        t = params[name].grad if grad else params[name].detach()
        return t.index_select(0, rows).clone() if key.endswith("[rows]") else t.clone()

    for k in keys:
        r["grad." + k] = value(k, True)
    opt.step()
    with torch.no_grad():
        model.logit_scale.clamp_(0, math.log(100))
    for k in keys:
        r["after." + k] = value(k, False)
    emb = [n for n in params if n.endswith("token_embedding.weight")][0]
    r[emb + ".rows"] = rows
    with torch.no_grad():
        r["loss_after"] = compute_loss(model, image, text, siglip).detach()
    adamw = openclip_adamw.describe(groups, "torch.optim.AdamW via open_clip_train.optim.create_optimizer")
    return {k: v.clone().contiguous() for k, v in r.items()}, adamw, keys


def make_case(out, name, why, deltas, seed):
    folder = os.path.join(out, "models", name)
    os.makedirs(folder, exist_ok=True)
    cfg = build_config(deltas)
    with open(os.path.join(folder, name + ".json"), "w") as f:
        json.dump(cfg, f, indent=1)
    siglip = cfg.get("init_logit_bias") is not None
    torch.manual_seed(seed)
    model, attrs = create(name, cfg, out)
    init_weights(model, seed)
    sd = {k: v.detach().half().contiguous() for k, v in model.state_dict().items()}
    save_file(sd, os.path.join(folder, "weights.safetensors"))
    # reference outputs from a second, differently seeded model after a strict load (as the shared generator does)
    torch.manual_seed(seed + 100)
    ref, _ = create(name, cfg, out)
    ref.load_state_dict({k: v.float() for k, v in sd.items()}, strict=True)
    ref.eval()
    image, text = make_inputs(seed, cfg)
    save_file({"image": image, "text": text}, os.path.join(folder, "inputs.safetensors"))
    save_file(outputs(ref, image, text, siglip), os.path.join(folder, "outputs.safetensors"))
    rows = torch.tensor(sorted({0, 1, 5, 6, EOT} | set(text.flatten().tolist()[:6])), dtype=torch.long)
    step, adamw, keys = adamw_step(ref, image, text, siglip, rows)
    save_file(step, os.path.join(folder, "adamw_step.safetensors"))
    n_params = sum(p.numel() for p in ref.parameters())
    return {
        "name": name, "kind": "coca" if "multimodal_cfg" in cfg else "clip", "flag": why, "config": f"models/{name}/{name}.json", "seed": seed, "batch": BATCH,
        "init_note": "torch.manual_seed(seed); open_clip.create_model(name, pretrained=None, output_dict=True); every 1-D "
                     "parameter except logit_scale/logit_bias += 0.1*N(0,1) (generator seed+2); every parameter rounded to "
                     "fp16. Reference outputs come from a second model (seed+100) after a strict load of weights.safetensors.",
        "openclip_attributes": attrs, "context_length": CTX,
        "uninitialised_params_fixed": {"text_decoder.text_projection": "torch.empty in OpenCLIP; N(0, width^-0.5), generator seed+1"}
        if "multimodal_cfg" in cfg else {},
        "inputs_note": "image: N(0,1) pixels (generator seed+3), no preprocessing; text: random ids in [6, 63) ended by "
                       f"{'eos_id' if cfg['text_cfg'].get('eos_id') is not None else 'id 63 (the highest)'}, 0-padded; lengths 3, 8, 5, 2",
        "tokenizer": None, "n_params": n_params, "loss": "siglip" if siglip else "clip", "adamw": adamw,
        "coca_loss_weights": COCA_WEIGHTS if "multimodal_cfg" in cfg else None, "tracked_params": keys, "token_embedding_rows": rows.tolist(),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    start = time.time()
    models = [make_case(a.out, name, why, deltas, 3000 + 17 * i) for i, (name, (why, deltas)) in enumerate(CASES.items())]
    manifest = {
        "fixture_set": "openclip-flags",
        "made_by": "tests/fixture-gen/make_flag_fixtures.py (bash tests/fixture-gen/run.sh flags)",
        "made_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S"),
        "seconds": round(time.time() - start, 1),
        "environment": {"python": platform.python_version(), "torch": torch.__version__, "numpy": np.__version__,
                        "open_clip": open_clip.__version__, "torch_threads": torch.get_num_threads(),
                        "deterministic_algorithms": True},
        "conventions": {"safetensors": "standard format; weights F16 (fp16-exact values, upcast to F32 to load), the rest F32/I64",
                        "layout": "row-major, batch-first; images NCHW float32",
                        "outputs": "as ../shared/fixtures/openclip: model.eval(), no_grad, fp32; inter.<module> = forward-hook "
                                   "output of that module during model(image, text) (visual.ln_pre is recorded when it is nn.Identity)",
                        "suggested_tolerances": "features/logits atol 1e-5 rtol 1e-4; losses 1e-5; after-step params 1e-6"},
        "models": models,
    }
    with open(os.path.join(a.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    import shutil
    shutil.rmtree(os.path.join(a.out, "_openclip_cfg"), ignore_errors=True)
    print(f"{len(models)} models in {time.time() - start:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
