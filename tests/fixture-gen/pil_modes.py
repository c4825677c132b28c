"""Pillow + OpenCLIP outputs for the images PilModeParityTests generates (tests/ClipSharp.Tests/Data/Images).

Usage (see README.md in this folder):
    python3 pil_modes.py IMAGE_DIR OUT_JSON
IMAGE_DIR holds the files the C# test writes when CLIPSHARP_PIL_MODES_OUT is set (one per case, <name>.png/.jpg).
For each file: its SHA-256, the mode Pillow opens it in, and three RGB uint8 HWC outputs (base64):
  openai: OpenCLIP eval transform, size 20, bicubic, resize_mode shortest (Resize + CenterCrop), up to convert("RGB")
  clips:  OpenCLIP eval transform, size 20, bilinear, resize_mode squash (the ViT-L-14-CLIPS-224 preprocess_cfg)
  crop:   PIL crop(box) then resize((20, 20), BICUBIC) then convert("RGB") (RandomResizedCrop at a fixed box)
"""
import base64
import hashlib
import json
import os
import sys

import numpy as np
import PIL
from PIL import Image
import open_clip
from open_clip.transform import PreprocessCfg, image_transform_v2

SIZE = 20
CROP = (3, 2, 27, 13)  # left, top, width, height


def eval_rgb(img, interpolation, resize_mode):
    cfg = PreprocessCfg(size=SIZE, interpolation=interpolation, resize_mode=resize_mode)
    steps = image_transform_v2(cfg, is_train=False).transforms
    assert type(steps[-2]).__name__ == "MaybeToTensor", steps  # stop before ToTensor + Normalize
    for t in steps[:-2]:
        img = t(img)
    return img


def encode(img):
    assert img.mode == "RGB" and img.size == (SIZE, SIZE), (img.mode, img.size)
    return base64.b64encode(np.asarray(img, dtype=np.uint8).tobytes()).decode("ascii")


def main(image_dir, out_path):
    images = {}
    for name in sorted(os.listdir(image_dir)):
        path = os.path.join(image_dir, name)
        with open(path, "rb") as f:
            data = f.read()
        img = Image.open(path)
        img.load()
        left, top, w, h = CROP
        crop = img.crop((left, top, left + w, top + h)).resize((SIZE, SIZE), Image.Resampling.BICUBIC).convert("RGB")
        images[os.path.splitext(name)[0]] = {
            "sha256": hashlib.sha256(data).hexdigest(),
            "mode": img.mode,
            "openai": encode(eval_rgb(img, "bicubic", "shortest")),
            "clips": encode(eval_rgb(img, "bilinear", "squash")),
            "crop": encode(crop),
        }
    doc = {
        "generator": "tests/fixture-gen/pil_modes.py",
        "pillow": PIL.__version__,
        "open_clip": open_clip.__version__,
        "size": SIZE,
        "crop": list(CROP),
        "images": images,
    }
    with open(out_path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
