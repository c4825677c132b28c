using ClipSharp.Data;

namespace ClipSharp.Evaluation;

/// <summary>A webdataset retrieval evaluation: the dataset name, the metrics, how many images and captions were used, and the samples skipped.</summary>
public sealed record ShardRetrievalResult(string Name, RetrievalMetrics Metrics, int Images, int Captions, BadSampleReport BadSamples);
