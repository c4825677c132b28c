namespace ClipSharp.Scenes;

/// <summary>What a web alt-text is made of.</summary>
public enum WebCaptionKind
{
    /// <summary>Mentions the salient object (maybe with a wrong attribute, maybe with boilerplate).</summary>
    Object,
    /// <summary>Boilerplate or the background only; no object.</summary>
    NoObject,
    /// <summary>Only a file name.</summary>
    FileName,
    /// <summary>The alt-text of another image.</summary>
    Foreign,
}
