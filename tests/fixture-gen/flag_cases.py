"""The cases of make_flag_fixtures.py: one tiny model per architecture flag (or combination) ClipSharp's config
reader accepts. A case is (what it checks, deltas on BASE: "model" = top-level keys, "vision_cfg", "text_cfg").
"""
import math

BATCH, VOCAB, CTX = 4, 64, 8
EOT = VOCAB - 1  # the highest id: argmax pooling finds it
BASE = {
    "embed_dim": 16,
    "vision_cfg": {"image_size": 16, "patch_size": 8, "width": 16, "head_width": 8, "layers": 2},
    "text_cfg": {"context_length": CTX, "vocab_size": VOCAB, "width": 16, "heads": 2, "layers": 2},
}
OPENCLIP_ATTRIBUTES = ("use_pad_mask", "correct_cls_mask")

# name -> (what it checks, {"model": top-level keys, "vision_cfg": ..., "text_cfg": ...})
CASES = {
    "flag-quick-gelu": ("quick_gelu: x*sigmoid(1.702x) in every MLP of both towers", {"model": {"quick_gelu": True}}),
    "flag-layer-scale": ("ls_init_value: LayerScale (ls_1, ls_2 gammas) in both towers",
                         {"vision_cfg": {"ls_init_value": 0.25}, "text_cfg": {"ls_init_value": 0.5}}),
    "flag-no-ln-pre-avg-final-ln": ("no_ln_pre (ln_pre is nn.Identity) + pool_type avg + final_ln_after_pool in a plain CLIP; "
                                    "vision tanh GELU, LN eps 1e-6, mlp_ratio 2.5",
                                    {"vision_cfg": {"no_ln_pre": True, "pool_type": "avg", "final_ln_after_pool": True,
                                                    "act_kwargs": {"approximate": "tanh"}, "norm_kwargs": {"eps": 1e-6},
                                                    "mlp_ratio": 2.5}}),
    "flag-avg-pool": ("pool_type avg with ln_post before pooling; text mlp_ratio 3",
                      {"vision_cfg": {"pool_type": "avg"}, "text_cfg": {"mlp_ratio": 3.0}}),
    "flag-attn-pool": ("attentional_pool (AttentionalPooler, ln_post on its output, pooled = query 0) in a plain CLIP",
                       {"vision_cfg": {"attentional_pool": True, "attn_pooler_queries": 4, "attn_pooler_heads": 2}}),
    "flag-attn-pool-avg": ("attentional_pool + pool_type avg (mean of queries 1..n-1; final_ln_after_pool ignored)",
                           {"vision_cfg": {"attentional_pool": True, "attn_pooler_queries": 3, "attn_pooler_heads": 4,
                                           "pool_type": "avg", "final_ln_after_pool": True}}),
    "flag-text-pool-first": ("text pool_type first, bidirectional (no_causal_mask)",
                             {"text_cfg": {"pool_type": "first", "no_causal_mask": True}}),
    "flag-text-pool-last": ("text pool_type last, bidirectional, tanh GELU, LN eps 1e-6",
                            {"text_cfg": {"pool_type": "last", "no_causal_mask": True, "act_kwargs": {"approximate": "tanh"},
                                          "norm_kwargs": {"eps": 1e-6}}}),
    "flag-text-pool-eos": ("text pool_type eos with eos_id 5 (the first 5 in each row; not the highest id)",
                           {"text_cfg": {"pool_type": "eos", "eos_id": 5}}),
    "flag-text-proj-none": ("text proj_type none (text width = embed_dim; the pooled state is the feature)",
                            {"text_cfg": {"proj_type": "none"}}),
    "flag-logit-bias": ("init_logit_bias (SigLIP): logit_bias parameter, logits = scale*cos + bias, SigLipLoss",
                        {"model": {"init_logit_scale": math.log(10), "init_logit_bias": -10.0}}),
    "flag-custom-text-embed-cls": ("custom_text tower (text.* keys) with embed_cls (class token appended, pooled last, "
                                   "ln_final after pooling, pad+cls additive mask) and correct_cls_mask",
                                   {"model": {"custom_text": True}, "text_cfg": {"embed_cls": True, "correct_cls_mask": True}}),
    "flag-custom-text-pad-mask": ("custom_text, bidirectional with use_pad_mask (keys at pad_id 3 masked; rows padded with 3), pool last",
                                  {"model": {"custom_text": True},
                                   "text_cfg": {"no_causal_mask": True, "use_pad_mask": True, "pad_id": 3, "pool_type": "last"}}),
    "flag-coca-layer-scale": ("CoCa with LayerScale in all three transformers (multimodal_cfg.ls_init_value) "
                              "and quick_gelu, attentional pooler, appended class token",
                              {"model": {"quick_gelu": True, "custom_text": True,
                                         "multimodal_cfg": {"context_length": CTX, "vocab_size": VOCAB, "width": 16, "heads": 2,
                                                            "layers": 2, "attn_pooler_heads": 2, "ls_init_value": 0.3}},
                               "vision_cfg": {"attentional_pool": True, "attn_pooler_queries": 4, "attn_pooler_heads": 2,
                                              "output_tokens": True, "ls_init_value": 0.2},
                               "text_cfg": {"embed_cls": True, "output_tokens": True, "ls_init_value": 0.4}}),
}
COCA_WEIGHTS = {"caption_loss_weight": 2.0, "clip_loss_weight": 1.0}
