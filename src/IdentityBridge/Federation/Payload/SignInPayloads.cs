using IdentityBridge.Xumm;

namespace IdentityBridge.Federation.Payload;

/// <summary>What goes into one SignIn payload.</summary>
public sealed record SignInPayloadSpec(
    string Identifier,
    string Instruction,
    TimeSpan Expiry,
    string? ReturnUrlWeb = null,
    string? ForcedNetwork = null,
    string? Signer = null,
    string? UserToken = null);

/// <summary>Creates SignIn payloads (<c>POST /payload</c>): signature only, never submitted.</summary>
public sealed class SignInPayloads(XummPlatformClient xumm)
{
    /// <summary>The platform shows about this much of <c>custom_meta.instruction</c>.</summary>
    public const int MaxInstructionLength = 280;

    public Task<XummResult<XummPayloadCreated>> CreateAsync(SignInPayloadSpec spec, CancellationToken ct)
    {
        var minutes = (int)Math.Max(1, Math.Ceiling(spec.Expiry.TotalMinutes));
        var instruction = spec.Instruction.Length <= MaxInstructionLength ? spec.Instruction : spec.Instruction[..MaxInstructionLength];
        var request = XummPayloadRequest.SignIn(
            new XummPayloadOptions
            {
                Submit = false,
                Expire = minutes,
                ReturnUrl = spec.ReturnUrlWeb is null ? null : new XummReturnUrl { Web = spec.ReturnUrlWeb },
                ForceNetwork = spec.ForcedNetwork,
                Signers = spec.Signer is null ? null : [spec.Signer],
            },
            new XummCustomMeta { Identifier = spec.Identifier, Instruction = instruction },
            spec.UserToken);
        return xumm.CreatePayloadAsync(request, ct);
    }
}
