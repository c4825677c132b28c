using ClipSharp.Core;

namespace ClipSharp.Modeling;

/// <summary>Strict reader of `vision_cfg`.</summary>
internal static class VisionConfigReader
{
    public static VisionConfig Read(JsonFields r)
    {
        var c = new VisionConfig();
        foreach (var key in r.Keys)
            c = key switch
            {
                "image_size" => c with { ImageSize = r.PositiveInt(key) },
                "patch_size" => r.IsNull(key) ? c with { PatchSize = 0 } : c with { PatchSize = r.PositiveInt(key) },   // null in OpenCLIP's RN configs
                "width" => c with { Width = r.PositiveInt(key) },
                "layers" => r.IsArray(key) ? c with { StageBlocks = ResNetStages.From(r.PositiveInts(key), r.Source) } : c with { Layers = r.PositiveInt(key) },
                "head_width" => c with { HeadWidth = r.PositiveInt(key) },
                "mlp_ratio" => c with { MlpRatio = r.PositiveDouble(key) },
                "ls_init_value" => c with { LsInitValue = r.NullableDouble(key) },
                "attentional_pool" => c with { AttentionalPool = r.Bool(key) },
                "attn_pooler_queries" => c with { AttnPoolerQueries = r.PositiveInt(key) },
                "attn_pooler_heads" => c with { AttnPoolerHeads = r.PositiveInt(key) },
                "no_ln_pre" => c with { NoLnPre = r.Bool(key) },
                "final_ln_after_pool" => c with { FinalLnAfterPool = r.Bool(key) },
                "output_tokens" => c with { OutputTokens = r.Bool(key) },
                "patch_dropout" => c with { PatchDropout = r.Double(key) },
                "pool_type" => c with
                {
                    Pool = r.String(key) switch
                    {
                        "tok" => VisionPool.Token, "avg" => VisionPool.Average, "none" => VisionPool.None,
                        var s => throw new ClipSharpException($"{r.Source}: vision_cfg.pool_type must be tok, avg or none, not '{s}'."),
                    },
                },
                "act_kwargs" => c with { GeluTanh = r.GeluApproximateTanh(key) },
                "norm_kwargs" => c with { LayerNormEps = r.NormEps(key) ?? 1e-5 },
                "pos_embed_type" => r.DefaultOnly(key, c, "learnable"),
                "image_seq_len" or "timm_model_name" or "block_type" => r.DefaultOnly(key, c, null, "default"),
                "qk_norm" or "scaled_cosine_attn" or "scale_heads" or "scale_attn_inner" or "scale_attn" or "scale_fc"
                    or "timm_model_pretrained" => r.DefaultOnly(key, c, false),
                "timm_pool" or "timm_proj" or "timm_proj_bias" or "timm_drop" or "timm_drop_path" or "timm_model_kwargs"
                    => r.DefaultOnly(key, c, "avg", "linear", false, 0.0, null),
                _ => throw r.Unknown(key),
            };
        if (c.IsResNet) return CheckResNet(c, r.Source);
        if (c.PatchSize == 0) throw new ClipSharpException($"{r.Source}: vision_cfg.patch_size is null; only a ResNet tower (layers as a list) has no patches.");
        if (c.ImageSize % c.PatchSize != 0)
            throw new ClipSharpException($"{r.Source}: vision_cfg.image_size {c.ImageSize} is not a multiple of patch_size {c.PatchSize}.");
        return c;
    }

    // OpenCLIP's ModifiedResNet: 4 stages, the side divided by 32, width · 32 channels split into heads of head_width;
    // the ViT-only options are ignored there, so a non-default one is an error here rather than silently dropped
    private static VisionConfig CheckResNet(VisionConfig c, string source)
    {
        if (c.ImageSize % 32 != 0) throw new ClipSharpException($"{source}: vision_cfg.image_size {c.ImageSize} is not a multiple of 32 (a ResNet tower divides it by 32).");
        if (c.Width % 2 != 0 || c.Width * 32 % c.HeadWidth != 0) throw new ClipSharpException($"{source}: a ResNet tower needs an even width whose 32-fold ({c.Width * 32}) splits into heads of head_width {c.HeadWidth}.");
        var vit = new VisionConfig();
        if (c.AttentionalPool || c.NoLnPre || c.Pool != vit.Pool || c.FinalLnAfterPool || c.OutputTokens || c.PatchDropout != 0 || c.LsInitValue is not null || c.GeluTanh)
            throw new ClipSharpException($"{source}: vision_cfg sets a ViT-only option (attentional_pool, no_ln_pre, pool_type, final_ln_after_pool, output_tokens, patch_dropout, ls_init_value or act_kwargs) on a ResNet tower, which OpenCLIP ignores; remove it.");
        return c;
    }
}

/// <summary>Strict reader of `text_cfg`.</summary>
internal static class TextConfigReader
{
    public static TextConfig Read(JsonFields r)
    {
        var c = new TextConfig();
        foreach (var key in r.Keys)
            c = key switch
            {
                "context_length" => c with { ContextLength = r.PositiveInt(key) },
                "vocab_size" => c with { VocabSize = r.PositiveInt(key) },
                "width" => c with { Width = r.PositiveInt(key) },
                "heads" => c with { Heads = r.PositiveInt(key) },
                "layers" => c with { Layers = r.PositiveInt(key) },
                "mlp_ratio" => c with { MlpRatio = r.PositiveDouble(key) },
                "ls_init_value" => c with { LsInitValue = r.NullableDouble(key) },
                "embed_cls" => c with { EmbedCls = r.Bool(key) },
                "pad_id" => c with { PadId = r.Int(key) },
                "eos_id" => c with { EosId = r.IsNull(key) ? null : r.Int(key) },
                "bos_id" => c,
                "no_causal_mask" => c with { NoCausalMask = r.Bool(key) },
                "use_pad_mask" => c with { UsePadMask = r.Bool(key) },
                "correct_cls_mask" => c with { CorrectClsMask = r.Bool(key) },
                "pool_type" => c with
                {
                    Pool = r.String(key) switch
                    {
                        "argmax" => TextPool.Argmax, "last" => TextPool.Last, "first" => TextPool.First,
                        "eos" => TextPool.Eos, "none" => TextPool.None,
                        var s => throw new ClipSharpException($"{r.Source}: text_cfg.pool_type must be argmax, last, first, eos or none, not '{s}'."),
                    },
                },
                "proj_bias" => r.DefaultOnly(key, c, false),
                "proj_type" => c with
                {
                    HasProjection = r.String(key) switch
                    {
                        "linear" => true, "none" => false,
                        var s => throw new ClipSharpException($"{r.Source}: text_cfg.proj_type must be linear or none, not '{s}'."),
                    },
                },
                "output_tokens" => c with { OutputTokens = r.Bool(key) },
                "act_kwargs" => c with { GeluTanh = r.GeluApproximateTanh(key) },
                "norm_kwargs" => c with { LayerNormEps = r.NormEps(key) ?? 1e-5 },
                "hf_tokenizer_name" => c with { HfTokenizerName = r.String(key) },
                "tokenizer_mode" => c with { TokenizerMode = r.String(key) },
                "tokenizer_kwargs" => c, // tokenizer options (e.g. strip_sep_token) are read by the tokenizer factory
                "final_ln_after_pool" or "variable_text" => r.DefaultOnly(key, c, false),
                "text_arch" => r.DefaultOnly(key, c, "clip"),
                "tokenizer_type" => r.DefaultOnly(key, c, ""),
                "tiktoken_name" => c,
                "hf_model_name" or "hf_model_pretrained" or "hf_proj_type" or "hf_pooler_type" or "block_type" => r.DefaultOnly(key, c, null, false, "default"),
                "qk_norm" or "scaled_cosine_attn" or "scale_heads" or "scale_attn_inner" or "scale_attn" or "scale_fc" => r.DefaultOnly(key, c, false),
                _ => throw r.Unknown(key),
            };
        // OpenCLIP refuses it too: eos pooling keys on a token id, and a guessed id pools the wrong positions silently
        if (c.Pool == TextPool.Eos && c.EosId is null)
            throw new ClipSharpException($"{r.Source}: text_cfg.pool_type 'eos' needs text_cfg.eos_id (the tokenizer's end-of-text id).");
        return c;
    }
}
