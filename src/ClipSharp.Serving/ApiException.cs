using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace ClipSharp.Serving;

/// <summary>The body of every error answer: a short machine-readable code and a sentence for a person.</summary>
public sealed record ApiError(string Error, string Detail);

/// <summary>A request the server refuses: answered with <see cref="Status"/> and an <see cref="ApiError"/> body.</summary>
public sealed class ApiException(int status, string error, string detail) : Exception(detail)
{
    /// <summary>HTTP status code.</summary>
    public int Status { get; } = status;

    /// <summary>Machine-readable code (snake_case).</summary>
    public string Error { get; } = error;

    /// <summary>400 with <paramref name="error"/>.</summary>
    public static ApiException BadRequest(string error, string detail) => new(StatusCodes.Status400BadRequest, error, detail);
}

/// <summary>The JSON conventions of the API (snake_case names, nulls left out) and the error writer.</summary>
public static class ApiJson
{
    /// <summary>Serializer options of every request and answer.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>Writes an error answer unless the response has started.</summary>
    public static Task WriteError(HttpContext ctx, int status, string error, string detail)
    {
        if (ctx.Response.HasStarted) return Task.CompletedTask;
        ctx.Response.Clear();
        ctx.Response.StatusCode = status;
        return ctx.Response.WriteAsJsonAsync(new ApiError(error, detail), Options, "application/json", CancellationToken.None);
    }

    /// <summary>The error code for a status without a more specific one (unknown route, wrong method, ...).</summary>
    public static string CodeOf(int status) => status switch
    {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        408 => "request_timeout",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        431 => "headers_too_large",
        _ => $"http_{status}",
    };
}
