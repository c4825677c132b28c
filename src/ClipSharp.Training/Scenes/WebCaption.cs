namespace ClipSharp.Scenes;

/// <summary>A web alt-text and what went into it (the flags let tests and analyses measure the noise).</summary>
public sealed record WebCaption(string Text, WebCaptionKind Kind, bool WrongAttribute, bool Boilerplate, bool MentionsColour);
