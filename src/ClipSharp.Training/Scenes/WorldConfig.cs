namespace ClipSharp.Scenes;

/// <summary>
/// Every rate and range of the synthetic-caption world, so difficulty and caption noise can be tuned without code
/// changes. Defaults were chosen so the web alt-text is clearly worse supervision than the recaption while still
/// mentioning the salient object about half the time (like DataComp alt-text).
/// </summary>
public sealed record WorldConfig
{
    // ---- scenes ----
    /// <summary>Fewest objects in a scene (≥ 1).</summary>
    public int MinObjects { get; init; } = 1;
    /// <summary>Most objects in a scene (≤ 4).</summary>
    public int MaxObjects { get; init; } = 4;
    /// <summary>Probability of a plain background; gradient and texture share the rest by the next two weights.</summary>
    public double PlainBackgroundRate { get; init; } = 0.4;
    /// <summary>Probability of a gradient background.</summary>
    public double GradientBackgroundRate { get; init; } = 0.35;
    /// <summary>Largest centre jitter inside a cell, in cell units (also limited so the object stays in its cell).</summary>
    public double MaxJitter { get; init; } = 0.12;
    /// <summary>Largest absolute rotation in degrees.</summary>
    public double MaxRotation { get; init; } = 25;
    /// <summary>Smallest RGB distance between an object's colour and every background colour.</summary>
    public double MinContrast { get; init; } = 110;

    // ---- captions ----
    /// <summary>How recaptions are written: subject first (default, like MLLM recaptions of photos) or exhaustive
    /// (one sentence per object in scene order; the style of worlds made before the subject-first writer).</summary>
    public RecaptionStyle RecaptionStyle { get; init; } = RecaptionStyle.SubjectFirst;

    // ---- photometric noise ----
    /// <summary>Largest brightness shift, as a fraction of 255.</summary>
    public double MaxBrightness { get; init; } = 0.04;
    /// <summary>Largest contrast change: contrast is drawn from [1 - x, 1 + x].</summary>
    public double MaxContrastChange { get; init; } = 0.08;
    /// <summary>Per-pixel Gaussian noise standard deviation, as a fraction of 255.</summary>
    public double NoiseStd { get; init; } = 0.015;
    /// <summary>JPEG quality (1–100).</summary>
    public int JpegQuality { get; init; } = 92;

    // ---- web alt-text noise (rates of the mutually exclusive kinds; the rest mention the salient object) ----
    /// <summary>Rate of alt-texts that are only a file name ("IMG_2041.JPG").</summary>
    public double WebFileNameRate { get; init; } = 0.1;
    /// <summary>Rate of alt-texts copied from another image.</summary>
    public double WebForeignRate { get; init; } = 0.1;
    /// <summary>Rate of alt-texts that mention no object (boilerplate, maybe the background).</summary>
    public double WebNoObjectRate { get; init; } = 0.25;
    /// <summary>Given an object is mentioned: rate at which one mentioned attribute (colour or shape) is wrong.</summary>
    public double WebWrongAttributeRate { get; init; } = 0.2;
    /// <summary>Given an object is mentioned: rate at which its colour is left out.</summary>
    public double WebDropColourRate { get; init; } = 0.3;
    /// <summary>Given an object is mentioned: rate at which boilerplate ("stock vector", "wallpaper hd") is added.</summary>
    public double WebBoilerplateRate { get; init; } = 0.5;

    // ---- human reference captions ----
    /// <summary>Reference captions per eval image.</summary>
    public int HumanCaptionsPerImage { get; init; } = 5;
    /// <summary>Fewest words in a reference caption.</summary>
    public int HumanMinWords { get; init; } = 6;
    /// <summary>Most words in a reference caption.</summary>
    public int HumanMaxWords { get; init; } = 15;

    // ---- fine-grained bags ----
    /// <summary>Fewest images in a bag (≥ 2; the attributes with four values cap every bag at ≥ 4).</summary>
    public int BagMinImages { get; init; } = 4;
    /// <summary>Most images in a bag.</summary>
    public int BagMaxImages { get; init; } = 10;
    /// <summary>Most distractor objects beside the varied one (count bags have none).</summary>
    public int BagMaxOtherObjects { get; init; } = 2;

    /// <summary>The defaults.</summary>
    public static WorldConfig Default { get; } = new();

    /// <summary>Throws <see cref="Core.ClipSharpException"/> naming the first out-of-range field.</summary>
    public void Validate()
    {
        static void Rate(string name, double v)
        {
            if (!(v >= 0 && v <= 1)) throw new Core.ClipSharpException($"WorldConfig.{name} must be in [0, 1], not {v}.");
        }
        if (MinObjects < 1 || MaxObjects > 4 || MinObjects > MaxObjects)
            throw new Core.ClipSharpException($"WorldConfig needs 1 <= MinObjects <= MaxObjects <= 4, not {MinObjects}..{MaxObjects}.");
        Rate(nameof(PlainBackgroundRate), PlainBackgroundRate);
        Rate(nameof(GradientBackgroundRate), GradientBackgroundRate);
        Rate("PlainBackgroundRate + GradientBackgroundRate", PlainBackgroundRate + GradientBackgroundRate);
        Rate(nameof(WebFileNameRate), WebFileNameRate);
        Rate(nameof(WebForeignRate), WebForeignRate);
        Rate(nameof(WebNoObjectRate), WebNoObjectRate);
        Rate("WebFileNameRate + WebForeignRate + WebNoObjectRate", WebFileNameRate + WebForeignRate + WebNoObjectRate);
        Rate(nameof(WebWrongAttributeRate), WebWrongAttributeRate);
        Rate(nameof(WebDropColourRate), WebDropColourRate);
        Rate(nameof(WebBoilerplateRate), WebBoilerplateRate);
        if (MaxJitter < 0 || MaxJitter > 0.5) throw new Core.ClipSharpException($"WorldConfig.MaxJitter must be in [0, 0.5], not {MaxJitter}.");
        if (JpegQuality is < 1 or > 100) throw new Core.ClipSharpException($"WorldConfig.JpegQuality must be in 1..100, not {JpegQuality}.");
        if (HumanCaptionsPerImage < 1) throw new Core.ClipSharpException($"WorldConfig.HumanCaptionsPerImage must be >= 1, not {HumanCaptionsPerImage}.");
        if (HumanMinWords < 6 || HumanMaxWords < HumanMinWords)
            throw new Core.ClipSharpException($"WorldConfig needs 6 <= HumanMinWords <= HumanMaxWords, not {HumanMinWords}..{HumanMaxWords}.");
        if (BagMinImages < 2 || BagMaxImages < BagMinImages || BagMinImages > 4)
            throw new Core.ClipSharpException($"WorldConfig needs 2 <= BagMinImages <= 4 and BagMinImages <= BagMaxImages, not {BagMinImages}..{BagMaxImages}.");
        if (BagMaxOtherObjects is < 0 or > 3) throw new Core.ClipSharpException($"WorldConfig.BagMaxOtherObjects must be in 0..3, not {BagMaxOtherObjects}.");
    }
}
