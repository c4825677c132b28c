using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ClipSharp.Serving;

/// <summary>
/// Describes the multipart form of <c>POST /search</c> and <c>POST /embed</c> in the OpenAPI document: a required
/// binary field <c>image</c> (plus <c>k</c> and <c>offset</c> for /search), instead of the JSON request's fields that
/// <c>Accepts&lt;T&gt;(…, "multipart/form-data")</c> alone would list there.
/// </summary>
internal static class MultipartOpenApi
{
    /// <summary>The form field that carries the uploaded image.</summary>
    public const string ImageField = "image";

    /// <summary>Registers the transformer on <paramref name="options"/>.</summary>
    public static void Add(OpenApiOptions options) => options.AddOperationTransformer((operation, context, _) =>
    {
        var route = context.Description.RelativePath?.Trim('/');
        if (route is "search" or "embed" && operation.RequestBody?.Content is { } content && content.ContainsKey("multipart/form-data"))
            content["multipart/form-data"] = new OpenApiMediaType { Schema = FormSchema(paging: route == "search") };
        return Task.CompletedTask;
    });

    private static OpenApiSchema FormSchema(bool paging)
    {
        var properties = new Dictionary<string, IOpenApiSchema>
        {
            [ImageField] = new OpenApiSchema
            {
                Type = JsonSchemaType.String, Format = "binary",
                Description = "The query image (JPEG, PNG, WebP, GIF, TIFF, …); at most the server's body and decoded-pixel limits.",
            },
        };
        if (paging)
        {
            properties["k"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Description = "Results to return (1 to the server's maximum)." };
            properties["offset"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Description = "Results to skip (paging)." };
        }
        return new OpenApiSchema { Type = JsonSchemaType.Object, Properties = properties, Required = new HashSet<string> { ImageField } };
    }
}
