"""Tokenizer cases that exercise each default step of ftfy.fix_text, with ids from the reference.

Writes OUT/manifest.json and OUT/tokenizer/{tokenizer_cases,clips_tokenizer_cases}.jsonl in the format of the
shared fixtures (fixtures/openclip/tokenizer), read by tests/ClipSharp.Tests/Parity/TokenizerParityTests.cs.

  CLIP BPE rows: real ftfy 6.3.1 + OpenCLIP SimpleTokenizer (clean "lower", context 77).
  CLIPS rows:    "cleaned" is OpenCLIP's "whitespace" cleaner (real ftfy); the WordPiece ids come from the small
                 BERT WordPiece below (HF BertWordPieceTokenizer(lowercase=True) semantics: `tokenizers` is not
                 installed in the reference chroot), in the CLIPS layout of HFTokenizer(tokenizer_mode="clips").

Regenerate (see tests/fixture-gen/README.md):
  mkdir -p /tmp/peers/scratch/ftfy-gen && cp tests/fixture-gen/ftfy_cases.py ../shared/fixtures/openclip/tokenizer/clips_vocab.txt /tmp/peers/scratch/ftfy-gen/
  (cd /tmp/peers/scratch/ftfy-gen && /work/shared/peer/peer_python.sh ftfy_cases.py clips_vocab.txt out)
  rm -rf tests/fixtures/ftfy && cp -r /tmp/peers/scratch/ftfy-gen/out tests/fixtures/ftfy
"""
import json, os, sys, time, unicodedata

import ftfy
import ftfy.chardata
from open_clip.tokenizer import SimpleTokenizer, _clean_whitespace

CASES = [
    # remove_terminal_escapes: ESC [ digits/semicolons letter
    ("terminal_escape", "\x1b[31mred\x1b[0m apple"),
    ("terminal_escape", "\x1b[1;32mBold Green\x1b[0m grass on a hill"),
    ("terminal_escape", "a dog\x1b[K on the\x1b[2J beach"),
    ("terminal_escape", "\x1b[38;5;208morange\x1b[m cat"),
    ("terminal_escape", "\x1b[31mcaf\u00c3\u00a9\x1b[0m au lait"),
    ("terminal_escape_other", "\x1b]0;title\x07 not a CSI"),
    ("terminal_escape_other", "cursor \x1b[?25h shown"),
    ("terminal_escape_other", "lone \x1b escape"),
    # unescape_html (auto: off in a line that holds '<', and in every later line)
    ("html", "Tom &amp; Jerry &lt;3"),
    ("html", "P&EACUTE;REZ and BUNDESSTRA&SZLIG;E"),
    ("html", "&ntilde; &Ntilde; &NTILDE; &nTILDE;"),
    ("html", "triple &amp;amp;amp; escaped"),
    ("html", "this&not that &checkmark; &Jscr;ohn"),
    ("html", "it&#x2019;s &#128512; &#x80; &#0;"),
    ("html_lt", "<b>triple</b> &amp;amp;amp; escaped"),
    ("html_lt", "<p>&checkmark; &Jscr;ohn &bigstar; &NTILDE; &amp;notit; &notit;</p>"),
    ("html_lines", "first &amp;amp;amp; line\nsecond &amp;amp;amp; <i>line</i>\nthird &amp;amp;amp;"),
    ("html_lines", "&EACUTE;t&EACUTE; <br>\n&EACUTE;t&EACUTE;"),
    # fix_encoding: UTF-8 decoded as a single-byte code page, also twice
    ("mojibake", "caf\u00c3\u00a9 cr\u00c3\u00a8me br\u00c3\u00bbl\u00c3\u00a9e"),
    ("mojibake", "doesn\u00c3\u00a2\u00e2\u201a\u00ac\u00e2\u201e\u00a2t matter"),
    ("mojibake", "\u00e2\u0153\u201d No problems"),
    ("mojibake", "&macr;\\_(\u00e3\u0083\u0084)_/&macr;"),
    ("mojibake", "The Mona Lisa doesn\u00c3\u0192\u00c2\u00a2\u00c3\u00a2\u00e2\u201a\u00ac\u00c5\u00a1\u00c3\u201a\u00c2\u00ac\u00c3\u00a2\u00e2\u20ac\u017e\u00c2\u00a2t have eyebrows."),
    ("mojibake_codepage", "caf\u221a\u00a9 on the corner"),  # macroman
    ("mojibake_codepage", "\u0420\u045a\u0420\u0455\u0421\u0403\u0420\u0454\u0420\u0406\u0420\u00b0"),  # windows-1251
    ("mojibake_codepage", "caf\u0393\u00ae and cr\u0393\u00bfme"),  # cp437
    ("mojibake_legit", "na\u00efve caf\u00e9 \u00c5ngstr\u00f6m \u00f1 \u00df \u00a3100"),
    ("mojibake_legit", "\u00c3 \u00e9 se\u00f1or \u00c2 and \u00d8re"),
    ("mojibake_legit", "IRM\u00c3 DE S\u00c3O PAULO, MA\u00c7\u00c3 VERDE"),
    ("restore_byte_a0", "voil\u00c3 le travail"),
    ("restore_byte_a0", "\u00c3 la carte"),
    ("restore_byte_a0", "l\u00c3 s vezes e \u00c3 quele lugar, \u00c3  dois"),
    ("restore_byte_a0", "\u00c2\u00a3100 and d \u00c2 and Caf\u00c3\u00a9 \u00c5 str\u00f6m"),
    ("mojibake", "\u00e2\u20ac\u0153Hello\u00e2\u20ac\x9d she said \u00f0\u0178\u02dc\u20ac smile"),
    ("mojibake", "caf\u00e9 and caf\u00c3\u00a9, na\u00c3\u00afve \u00c3\u00bcber"),
    ("mojibake", "\u00c3\u00a2\u00e2\u201a\u00ac\u00c5\u201c double \u00c3\u00a2\u00e2\u201a\u00ac\u00c2\u009d"),
    ("replace_lossy", "it\u00e2\u20ac? s fine"),
    ("replace_lossy", "quote \u00e2\u20ac\ufffd here"),
    ("replace_lossy", "caf\u00c3? ok and \u00c2? and x\u00c3\ufffd"),
    ("replace_lossy", "plain question? \u00c3? alone"),
    ("inconsistent_utf8", "caf\u00c3\u00a9 \u2603 snowman na\u00c3\u00afve"),
    ("inconsistent_utf8", "\u4e2d\u6587 caf\u00c3\u00a9"),
    # fix_c1_controls
    ("c1_controls", "\x80 5 price it\x92s"),
    ("c1_controls", "wait\x85 what \x93quoted\x94"),
    ("c1_controls", "\x81\x8d\x8f\x90\x9d undefined bytes"),
    # fix_latin_ligatures
    ("ligatures", "\ufb02u\ufb03e\ufb06 \ufb01sh \ufb00 \ufb04 \ufb05"),
    ("ligatures", "\u0133ssel \u01c4 \u01c5 \u01c6 \u01c7 \u01c8 \u01c9 \u01ca \u01cb \u01cc \u01f1 \u01f2 \u01f3 \u0149"),
    # fix_character_width
    ("width", "\uff2c\uff2f\uff35\uff24\u3000\uff2e\uff2f\uff29\uff33\uff25\uff33"),
    ("width", "\uff35\uff80\uff70\uff9d \uff76\uff9e\uff77\uff9e"),
    ("width", "\uffe5\uff11\uff10\uff10 \uffe0 \uffe1 \uffe2 \uffe3 \uffe4 \uffe6 \uffa1\uffa4"),
    ("width", "\uff5e\uff5f\uff60\uff61\uff62\uff63\uff64 \uffe8\uffe9\uffea\uffeb\uffec\uffed\uffee"),
    # uncurl_quotes
    ("quotes", "\u201cquoted\u201d \u2018single\u2019 \u201brev\u201f \u201elow\u201d \u02bcokina \u00abguillemets\u00bb \u2032prime"),
    # fix_line_breaks (then whitespace collapse)
    ("line_breaks", "a\r\nb\rc\u2028d\u2029e\x85f"),
    ("line_breaks", "caf\u00c3\u00a9\nna\u00efve \u00c3 line"),
    # fix_surrogates
    ("surrogates", "lone \ud83d high and \ude00 low"),
    # remove_control_chars
    ("control_chars", "null\x00byte bell\x07 del\x7f vt\x0bff\x0c us\x1f"),
    ("control_chars", "\ufeffbom \u206aold\u206f obj\ufffc\ufff9anchor\ufffb"),
    ("control_chars", "soft\u00adhyphen zero\u200bwidth \u200dzwj \u2060wj \u202eRTL"),
    # normalization NFC
    ("nfc", "e\u0301 A\u030a \u212b \u1112\u1161\u11ab q\u0307\u0323 \uff21\u030a"),
    ("nfc", "\u2126 ohm \u00b5 micro \u2160 roman \u00b3 cube"),
    # several steps together, and the fixed point
    ("combined", "\x1b[1m\u201cCaf\u00c3\u00a9\u201d\x1b[0m &amp; \uff2c\uff2f\uff35\uff24 \ufb01sh\r\n\x00end"),
    ("combined", "&amp;lt;b&amp;gt; \u00c3\u00a9"),
]


def bert_tokens(text, vocab):
    """HF BertWordPieceTokenizer(lowercase=True): BertNormalizer, BertPreTokenizer, WordPiece (special tokens such as
    "[CLS]" written in the text are not matched as added tokens; no case here holds one)."""
    def control(c):
        return c not in "\t\n\r" and unicodedata.category(c).startswith("C")
    def space(c):
        return c in " \t\n\r" or unicodedata.category(c) == "Zs"
    def cjk(o):
        return (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x2A6DF or 0x2A700 <= o <= 0x2B73F
                or 0x2B740 <= o <= 0x2B81F or 0x2B820 <= o <= 0x2CEAF or 0xF900 <= o <= 0xFAFF or 0x2F800 <= o <= 0x2FA1F)
    def punct(c):
        o = ord(c)
        return 33 <= o <= 47 or 58 <= o <= 64 or 91 <= o <= 96 or 123 <= o <= 126 or unicodedata.category(c).startswith("P")
    out = []
    for c in text:
        if ord(c) == 0 or c == "\ufffd" or control(c):
            continue
        c = " " if space(c) else c
        out.append(f" {c} " if cjk(ord(c)) else c)
    text = "".join(c for c in unicodedata.normalize("NFD", "".join(out)) if unicodedata.category(c) != "Mn")
    text = "".join(c.lower() for c in text)  # per character, as the Rust normalizer (no Final_Sigma)
    words, cur = [], []
    for c in text:
        if c.isspace() or punct(c):
            if cur: words.append("".join(cur)); cur = []
            if not c.isspace(): words.append(c)
        else:
            cur.append(c)
    if cur: words.append("".join(cur))
    pieces = []
    for w in words:
        if len(w) > 100: pieces.append("[UNK]"); continue
        start, sub = 0, []
        while start < len(w):
            end = len(w)
            while end > start:
                p = ("##" if start else "") + w[start:end]
                if p in vocab: break
                end -= 1
            if end == start: sub = ["[UNK]"]; break
            sub.append(("##" if start else "") + w[start:end]); start = end
        pieces.extend(sub)
    return pieces


def main(vocab_path, out_dir):
    t0 = time.time()
    os.makedirs(os.path.join(out_dir, "tokenizer"), exist_ok=True)
    tok = SimpleTokenizer()
    vocab = {}
    with open(vocab_path, encoding="utf-8") as f:
        for i, line in enumerate(f.read().split("\n")):
            if line: vocab.setdefault(line, i)
    bpe_rows, clips_rows = [], []
    for i, (cat, text) in enumerate(CASES):
        bpe = tok.encode(text)
        ids = tok(text)[0].tolist()
        extra = {"text_codepoints": [ord(c) for c in text]} if any(0xD800 <= ord(c) <= 0xDFFF for c in text) else {}
        bpe_rows.append(dict(id=i, category=cat, text=text, ftfy=ftfy.fix_text(text), ids=ids, bpe_ids=bpe,
                             bpe_tokens=[tok.decoder[b] for b in bpe], cleaned=tok.clean_fn(text), n_bpe=len(bpe),
                             truncated=len(bpe) > 75, **extra))
        cleaned = _clean_whitespace(text)
        pieces = bert_tokens(cleaned, vocab)
        wp = [vocab[p] for p in pieces]
        row = ([1] + wp[:77] + [2] + [0] * 80)[:79] + [101]  # [bos] ids [eos] 0-padded, [CLS] at 79
        clips_rows.append(dict(id=i, category=cat, text=text, ids=row, wordpiece_ids=wp, wordpiece_tokens=pieces,
                               cleaned=cleaned, n_wordpiece=len(wp), truncated=len(wp) > 77, **extra))
    for name, rows in (("tokenizer_cases.jsonl", bpe_rows), ("clips_tokenizer_cases.jsonl", clips_rows)):
        with open(os.path.join(out_dir, "tokenizer", name), "w", encoding="utf-8") as f:
            for r in rows: f.write(json.dumps(r) + "\n")
    with open(os.path.join(out_dir, "ftfy_html_entities.tsv"), "w", encoding="utf-8", newline="\n") as f:
        for name in sorted(ftfy.chardata.HTML_ENTITIES):  # what ftfy's unescape_html step decodes
            f.write(name + "\t" + " ".join(f"{ord(c):X}" for c in ftfy.chardata.HTML_ENTITIES[name]) + "\n")
    manifest = dict(
        fixture_set="ftfy-steps", made_by="tests/fixture-gen/ftfy_cases.py", seconds=round(time.time() - t0, 2),
        environment=dict(python=sys.version.split()[0], ftfy=ftfy.__version__, ftfy_file=ftfy.__file__,
                         open_clip_tokenizer=SimpleTokenizer.__module__,
                         wordpiece="tests/fixture-gen/ftfy_cases.py bert_tokens (HF BertWordPieceTokenizer semantics)"),
        files=["tokenizer/tokenizer_cases.jsonl", "tokenizer/clips_tokenizer_cases.jsonl", "ftfy_html_entities.tsv"],
        notes="text_codepoints: the text as code points, given where it holds lone surrogates (JSON readers reject them)")
    with open(os.path.join(out_dir, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=1)
    print(f"{len(CASES)} cases -> {out_dir}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
