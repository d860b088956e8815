namespace IdentityBridge.Xumm;
internal static class Placeholder;
