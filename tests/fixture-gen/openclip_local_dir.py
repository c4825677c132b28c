"""OpenCLIP's get_tokenizer('local-dir:RUN') on a run folder written by write_run_folder.cs, compared with the ids
ClipSharp printed for the same folder (RUN.clipsharp.json).

transformers is not installed in the reference chroot, so `transformers.AutoTokenizer` is a stub that does what
AutoTokenizer.from_pretrained(folder, **kwargs) does for a BertTokenizer folder: it requires tokenizer_config.json
with tokenizer_class BertTokenizer(Fast) and vocab.txt, takes the special tokens from the config (kwargs override),
and tokenizes with the BERT WordPiece of ftfy_cases.py. Everything else is OpenCLIP's own code: local-dir resolution,
the text_cfg (context_length, tokenizer_mode, tokenizer_kwargs), HFTokenizer's cleaning and its CLIPS layout.

  cd /tmp/peers/scratch/ftfy-gen && /work/shared/peer/peer_python.sh openclip_local_dir.py run/std run/own
"""
import json, os, sys, types

from ftfy_cases import bert_tokens


class StubBertTokenizer:
    def __init__(self, folder, **kwargs):
        with open(os.path.join(folder, "tokenizer_config.json"), encoding="utf-8") as f:
            cfg = json.load(f)
        assert cfg.get("tokenizer_class") in ("BertTokenizer", "BertTokenizerFast"), cfg.get("tokenizer_class")
        assert cfg.get("do_lower_case") is True
        cfg.update(kwargs)
        self.vocab = {}
        with open(os.path.join(folder, "vocab.txt"), encoding="utf-8") as f:
            for i, tok in enumerate(f.read().split("\n")):
                if tok: self.vocab.setdefault(tok, i)
        for role in ("bos", "eos", "unk", "sep", "pad", "cls", "mask"):
            tok = cfg.get(role + "_token")
            setattr(self, role + "_token_id", None if tok is None else self.vocab[tok])
        self.kwargs = kwargs
        self.padding_side = cfg.get("padding_side", "right")

    def __len__(self):
        return len(self.vocab)

    def __call__(self, texts, add_special_tokens=True, **_):
        assert add_special_tokens is False, "the CLIPS mode tokenizes without special tokens"
        return {"input_ids": [[self.vocab[p] for p in bert_tokens(t, self.vocab)] for t in texts]}


seen = []
stub = types.ModuleType("transformers")
stub.AutoTokenizer = types.SimpleNamespace(
    from_pretrained=lambda name, cache_dir=None, **kw: seen.append((str(name), kw)) or StubBertTokenizer(name, **kw))
sys.modules["transformers"] = stub

from open_clip import get_tokenizer  # noqa: E402

ok = True
for run in sys.argv[1:]:
    seen.clear()
    tok = get_tokenizer("local-dir:" + run)
    with open(os.path.join(run, "open_clip_config.json"), encoding="utf-8") as f:
        text_cfg = json.load(f)["model_cfg"]["text_cfg"]
    print(f"{run}: {type(tok).__name__} source={seen[0][0]} from_pretrained kwargs={seen[0][1]} "
          f"mode={tok.tokenizer_mode!r} context_length={tok.context_length} hf_tokenizer_name={text_cfg['hf_tokenizer_name']!r} "
          f"bos/eos/cls/pad ids={tok.tokenizer.bos_token_id},{tok.tokenizer.eos_token_id},{tok.tokenizer.cls_token_id},{tok.tokenizer.pad_token_id}")
    with open(run + ".clipsharp.json", encoding="utf-8") as f:
        cases = json.load(f)
    for c in cases:
        ids = tok(c["text"])[0].tolist()
        same = ids == c["ids"]
        ok &= same
        print(f"  {'same' if same else 'DIFFERENT'}: {c['text']!r} -> {ids[:12]}... (ClipSharp {c['ids'][:12]}...)")
print("all ids equal" if ok else "ids differ")
sys.exit(0 if ok else 1)
