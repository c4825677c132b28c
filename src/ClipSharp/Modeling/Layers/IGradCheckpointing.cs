namespace ClipSharp.Modeling.Layers;

/// <summary>A module whose residual blocks can be checkpointed (OpenCLIP's <c>set_grad_checkpointing</c>).</summary>
public interface IGradCheckpointing
{
    /// <summary>True: each block keeps only its input in the forward and recomputes itself in the backward (<see cref="GradCheckpoint"/>).</summary>
    bool GradCheckpointing { get; set; }
}
