using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Berth.Engine;

namespace Berth.Registry.Auth;

/// <summary>
/// The key that signs or verifies bearer tokens, from a PEM file: an EC P-256 key (ES256) or an RSA
/// key (RS256); a private key can sign and verify, a public key or certificate only verify.
/// </summary>
public sealed class TokenKey : IDisposable
{
    private readonly ECDsa? _ec;
    private readonly RSA? _rsa;

    private TokenKey(ECDsa? ec, RSA? rsa, bool canSign)
    {
        _ec = ec;
        _rsa = rsa;
        CanSign = canSign;
    }

    public bool CanSign { get; }
    public string Algorithm => _ec is not null ? "ES256" : "RS256";

    public static TokenKey Load(string path)
    {
        string pem;
        try { pem = File.ReadAllText(path); }
        catch (IOException e) { throw new BerthException($"cannot read token key {path}: {e.Message}"); }
        return Parse(pem, path);
    }

    public static TokenKey Parse(string pem, string source)
    {
        if (pem.Contains("BEGIN CERTIFICATE", StringComparison.Ordinal))
        {
            var cert = X509Certificate2.CreateFromPem(pem);
            if (cert.GetECDsaPublicKey() is { } ecPub) return new TokenKey(ecPub, null, false);
            if (cert.GetRSAPublicKey() is { } rsaPub) return new TokenKey(null, rsaPub, false);
            throw new BerthException($"{source}: the certificate holds neither an EC nor an RSA key");
        }
        bool isPrivate = pem.Contains("PRIVATE KEY", StringComparison.Ordinal);
        try
        {
            var ec = ECDsa.Create();
            ec.ImportFromPem(pem);
            if (ec.KeySize != 256) throw new BerthException($"{source}: EC keys must be P-256 (ES256)");
            return new TokenKey(ec, null, isPrivate);
        }
        catch (CryptographicException) { }
        catch (ArgumentException) { }
        try
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            return new TokenKey(null, rsa, isPrivate);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new BerthException($"{source}: not a PEM EC or RSA key: make one with `openssl ecparam -name prime256v1 -genkey -noout -out key.pem`");
        }
    }

    public byte[] Sign(ReadOnlySpan<byte> data)
    {
        if (!CanSign) throw new BerthException("the token key is a public key: it can verify tokens but not sign them");
        return _ec is not null
            ? _ec.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
            : _rsa!.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) => _ec is not null
        ? _ec.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
        : _rsa!.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    public void Dispose()
    {
        _ec?.Dispose();
        _rsa?.Dispose();
    }
}
