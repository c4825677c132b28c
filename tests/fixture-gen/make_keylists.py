"""OpenCLIP state-dict key lists (keys, shapes, parameter count) for the project's own model configs.

For every configs/models/*.json NOT covered by ../shared/fixtures/openclip/state_dicts (the project's quickstart-* and
test-* configs), builds the model with the reference OpenCLIP (open_clip.create_model from the config JSON, random
init, no weights) and writes <name>.json in the shared lists' format: name, config, num_parameters, state_dict
({key: shape}), source. ModelStructureTests compares ClipSharp's modules against these committed lists.

CLIPS configs carry a `decoder_cfg` that OpenCLIP does not know: the encoders come from OpenCLIP (config without
decoder_cfg) and the `text_decoder.*` keys are written out from the decoder layout of docs/clips-spec.md (the same
layout as ../shared/fixtures/clips/manifest.json `decoder_state_dict_layout`); `source` says so.

Run (from the repository root; the reference chroot sees only /tmp/peers/scratch):
    bash tests/fixture-gen/run.sh keylists
"""
import argparse
import json
import os
import sys

import open_clip
import torch


def decoder_keys(cfg, vision_width, text_width, vocab):
    """text_decoder.* keys and shapes of the CLIPS captioner (docs/clips-spec.md decoder layout)."""
    w, hidden = cfg["width"], int(cfg["width"] * cfg.get("mlp_ratio", 4.0))
    keys = {
        "text_decoder.img_proj.weight": [w, vision_width],
        "text_decoder.txt_proj.weight": [w, text_width],
        "text_decoder.queries": [cfg.get("num_learnable_tokens", 128), w],
    }
    for i in range(cfg["layers"]):
        p = f"text_decoder.transformer.resblocks.{i}."
        keys.update({
            p + "ln_1.weight": [w], p + "ln_1.bias": [w],
            p + "attn.in_proj_weight": [3 * w, w], p + "attn.in_proj_bias": [3 * w],
            p + "attn.out_proj.weight": [w, w], p + "attn.out_proj.bias": [w],
            p + "ln_2.weight": [w], p + "ln_2.bias": [w],
            p + "mlp.c_fc.weight": [hidden, w], p + "mlp.c_fc.bias": [hidden],
            p + "mlp.c_proj.weight": [w, hidden], p + "mlp.c_proj.bias": [w],
        })
    keys.update({"text_decoder.ln_final.weight": [w], "text_decoder.ln_final.bias": [w], "text_decoder.head.weight": [vocab, w]})
    return keys


def key_list(name, raw):
    model_cfg = raw.get("model_cfg", raw)
    decoder = model_cfg.get("decoder_cfg")
    oc_cfg = {k: v for k, v in model_cfg.items() if k != "decoder_cfg"}
    tmp = os.path.join(os.getcwd(), "_keylist_cfg")
    os.makedirs(tmp, exist_ok=True)
    with open(os.path.join(tmp, name + ".json"), "w") as f:
        json.dump(oc_cfg, f)
    open_clip.add_model_config(tmp)
    model = open_clip.create_model(name, pretrained=None)
    sd = {k: list(v.shape) for k, v in model.state_dict().items()}
    n = sum(p.numel() for p in model.parameters())
    source = f"open_clip.create_model from configs/models/{name}.json (open_clip {open_clip.__version__})"
    if decoder is not None:
        vc = oc_cfg["vision_cfg"]
        # The CLIPS reference has ViT towers only (tokens of vision width); with a ModifiedResNet tower ClipSharp's
        # captioner reads the last stage's feature map, width * 32 channels (ClipSharp's IVisionTower.TokenWidth).
        v = vc["width"] * 32 if isinstance(vc.get("layers"), list) else vc["width"]
        t = oc_cfg["text_cfg"]["width"]
        dk = decoder_keys(decoder, v, t, oc_cfg["text_cfg"].get("vocab_size", 49408))
        sd.update(dk)
        n += sum(int(torch.tensor(s).prod()) if s else 1 for s in dk.values())
        source += " without decoder_cfg; text_decoder.* from the CLIPS decoder layout (docs/clips-spec.md)"
    return {"name": name, "config": raw, "num_parameters": n, "state_dict": sd, "source": source}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--configs", required=True, help="folder of model config JSON files")
    ap.add_argument("--shared-lists", required=True, help="../shared/fixtures/openclip/state_dicts (configs listed there are skipped)")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    covered = {os.path.splitext(f)[0] for f in os.listdir(a.shared_lists) if f.endswith(".json") and f != "index.json"}
    os.makedirs(a.out, exist_ok=True)
    torch.manual_seed(0)
    for f in sorted(os.listdir(a.configs)):
        name = os.path.splitext(f)[0]
        if not f.endswith(".json") or name in covered:
            continue
        with open(os.path.join(a.configs, f)) as fh:
            entry = key_list(name, json.load(fh))
        with open(os.path.join(a.out, name + ".json"), "w") as fh:
            json.dump(entry, fh, indent=1)
            fh.write("\n")
        print(f"{name}: {len(entry['state_dict'])} keys, {entry['num_parameters']} parameters", file=sys.stderr)


if __name__ == "__main__":
    main()
