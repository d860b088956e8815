namespace XummSimulator.Model;

/// <summary>
/// What <c>response_type</c> asked for: a code (the code flow), or the token itself in the redirect's
/// fragment (the implicit flow: <c>token</c>, <c>id_token token</c> or <c>id_token</c>).
/// </summary>
[Flags]
internal enum AuthorizationResponseType
{
    None = 0,
    Code = 1,
    Token = 2,
    IdToken = 4,
}
