namespace Berth.Registry;

/// <summary>The error codes of the OCI distribution spec, each with the HTTP status it is sent with.</summary>
public enum RegistryError
{
    BlobUnknown,
    BlobUploadInvalid,
    BlobUploadUnknown,
    DigestInvalid,
    ManifestBlobUnknown,
    ManifestInvalid,
    ManifestUnknown,
    NameInvalid,
    NameUnknown,
    SizeInvalid,
    Unauthorized,
    Denied,
    Unsupported,
    TooManyRequests,
    RangeInvalid,
    TooLarge,
}

public static class RegistryErrors
{
    /// <summary>The spec's code for the error (<c>BLOB_UNKNOWN</c>...).</summary>
    public static string Code(this RegistryError e) => e switch
    {
        RegistryError.BlobUnknown => "BLOB_UNKNOWN",
        RegistryError.BlobUploadInvalid or RegistryError.RangeInvalid => "BLOB_UPLOAD_INVALID",
        RegistryError.BlobUploadUnknown => "BLOB_UPLOAD_UNKNOWN",
        RegistryError.DigestInvalid => "DIGEST_INVALID",
        RegistryError.ManifestBlobUnknown => "MANIFEST_BLOB_UNKNOWN",
        RegistryError.ManifestInvalid => "MANIFEST_INVALID",
        RegistryError.ManifestUnknown => "MANIFEST_UNKNOWN",
        RegistryError.NameInvalid => "NAME_INVALID",
        RegistryError.NameUnknown => "NAME_UNKNOWN",
        RegistryError.SizeInvalid or RegistryError.TooLarge => "SIZE_INVALID",
        RegistryError.Unauthorized => "UNAUTHORIZED",
        RegistryError.Denied => "DENIED",
        RegistryError.Unsupported => "UNSUPPORTED",
        RegistryError.TooManyRequests => "TOOMANYREQUESTS",
        _ => "UNKNOWN",
    };

    public static int Status(this RegistryError e) => e switch
    {
        RegistryError.BlobUnknown or RegistryError.BlobUploadUnknown or RegistryError.ManifestUnknown
            or RegistryError.NameUnknown => 404,
        RegistryError.Unauthorized => 401,
        RegistryError.Denied => 403,
        RegistryError.Unsupported => 405,
        RegistryError.TooManyRequests => 429,
        RegistryError.RangeInvalid => 416,
        RegistryError.TooLarge => 413,
        _ => 400,
    };
}

/// <summary>A request the registry refuses, carrying the spec's error code and a detail for the client.</summary>
public sealed class RegistryException(RegistryError error, string message, string? digest = null) : Exception(message)
{
    public RegistryError Error { get; } = error;
    /// <summary>The digest the error is about, sent as <c>detail.digest</c>.</summary>
    public string? Digest { get; } = digest;
}
