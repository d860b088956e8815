namespace IdentityBridge.RelyingParty;
internal static class Placeholder;
