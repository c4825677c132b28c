namespace ClipSharp.Evaluation;

/// <summary>Skip reasons of retrieval samples beyond the Data layer's <see cref="ClipSharp.Data.BadSampleReasons"/>.</summary>
public static class RetrievalSampleReasons
{
    /// <summary>Neither the caption member nor the .json caption field is there.</summary>
    public const string MissingCaption = "missing_caption";

    /// <summary>The captions are there but every one is empty or white space.</summary>
    public const string EmptyCaption = "empty_caption";
}
