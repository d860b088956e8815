using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IdentityBridge.Admin.Contracts;
using IdentityBridge.Audit;
using Microsoft.IdentityModel.Tokens;

namespace IdentityBridge.Admin.Services;

/// <summary>
/// What a client update changed, as the audit trail records it: for a list (redirect URIs, post-logout redirect
/// URIs, scopes, grant types, secrets) the items added and removed, for the JWK Set the keys added and removed
/// (key id and RFC 7638 thumbprint), for any other setting its old and new value. Unchanged settings are left out.
/// <para>
/// Whole before and after snapshots of a client with many redirect URIs and an RSA key set are longer than the
/// audit trail keeps (<see cref="AuditLog.MaxDetailsLength"/>), and were replaced by their length: padding a
/// client hid the redirect URI added with it. When even the changes are that long, lists and values are cut,
/// saying how many items were left out; the added redirect and post-logout redirect URIs, where a login or a
/// logout may be sent, are always kept whole. The registration limits bound them (<see cref="MaxLength"/>).
/// </para>
/// <para>
/// A created client is recorded whole (<see cref="Created(ClientInput)"/>) under the same limit: when it is too long,
/// its redirect and post-logout redirect URIs are still kept whole and everything else is cut.
/// </para>
/// </summary>
public static class ClientChanges
{
    /// <summary>Items of a list kept when the changes are too long to record whole.</summary>
    internal const int ItemsWhenCut = 10;

    /// <summary>Characters of a value kept when the changes are too long to record whole.</summary>
    internal const int TextWhenCut = 200;

    /// <summary>Room left in <see cref="AuditLog.MaxDetailsLength"/> for what the caller puts around the changes.</summary>
    private const int Envelope = 256;

    private static readonly string[] KeptWhole = ["redirectUris", "postLogoutRedirectUris"];

    /// <summary>
    /// The longest details a client change or creation needs: the audit trail's usual limit, plus both lists of redirect
    /// URIs kept whole (at most <see cref="ClientRules.MaxUris"/> URIs of at most 2000 ASCII characters each, which
    /// JSON may escape to six characters apiece).
    /// </summary>
    public const int MaxLength = AuditLog.MaxDetailsLength + 2 * ClientRules.MaxUris * (2000 * 6 + 3);

    /// <summary>Serialized as the audit trail serializes details, to measure them as it will.</summary>
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// The changes from <paramref name="before"/> to <paramref name="after"/> (their <see cref="ClientInput"/>
    /// settings, plus the secret ids when given), at most <see cref="MaxLength"/> characters of JSON.
    /// </summary>
    public static JsonObject Of(ClientInput before, ClientInput after, IEnumerable<long>? secretsBefore = null, IEnumerable<long>? secretsAfter = null)
    {
        var old = (JsonObject)JsonSerializer.SerializeToNode(before, typeof(ClientInput), Json)!;
        var now = (JsonObject)JsonSerializer.SerializeToNode(after, typeof(ClientInput), Json)!;
        var fields = new List<(string Name, Change Change)>();
        foreach (var name in old.Select(p => p.Key).Union(now.Select(p => p.Key)))
        {
            var (a, b) = (old[name], now[name]);
            if (JsonNode.DeepEquals(a, b)) continue;
            if (name == "jwks") fields.Add((name, Change.OfLists(KeysOf(a), KeysOf(b))));
            else if (a is null or JsonArray && b is null or JsonArray) fields.Add((name, Change.OfLists(Items(a), Items(b))));
            else fields.Add((name, new Change(a?.DeepClone(), b?.DeepClone())));
        }
        if (secretsBefore is not null && secretsAfter is not null)
        {
            var (a, b) = (secretsBefore.Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList(),
                secretsAfter.Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList());
            if (!a.SequenceEqual(b)) fields.Add(("secrets", Change.OfLists(a, b)));
        }

        var whole = Render(fields, Form.Whole);
        if (Length(whole) <= AuditLog.MaxDetailsLength - Envelope) return whole;
        // What is always kept adds to the usual limit; everything else has to fit in it.
        var kept = fields.Where(f => KeptWhole.Contains(f.Name)).Sum(f => Length(new JsonArray([.. f.Change.Added.Select(i => JsonValue.Create(i))])));
        var cut = Render(fields, Form.Cut);
        return Length(cut) <= AuditLog.MaxDetailsLength - Envelope + kept ? cut : Render(fields, Form.Counts);
    }

    /// <summary>
    /// A created client as the audit trail records it: its settings, at most <see cref="MaxLength"/> characters of JSON.
    /// When they are too long to record whole, the redirect and post-logout redirect URIs are kept whole, the JWK Set
    /// becomes the list of its keys (as in <see cref="Of"/>), other lists keep their first items and other values their
    /// first characters, saying how many items were left out; and when even that is too long, only the counts of the
    /// other lists are kept.
    /// </summary>
    public static JsonObject Created(ClientInput client) => Created((JsonObject)JsonSerializer.SerializeToNode(client, client.GetType(), Json)!);

    /// <inheritdoc cref="Created(ClientInput)"/>
    public static JsonObject Created(JsonObject client)
    {
        if (Length(client) <= AuditLog.MaxDetailsLength - Envelope) return (JsonObject)client.DeepClone();
        var kept = client.Where(p => KeptWhole.Contains(p.Key)).Sum(p => p.Value is null ? 0 : Length(p.Value));
        var cut = Snapshot(client, Form.Cut);
        return Length(cut) <= AuditLog.MaxDetailsLength - Envelope + kept ? cut : Snapshot(client, Form.Counts);
    }

    private static JsonObject Snapshot(JsonObject client, Form form)
    {
        var result = new JsonObject();
        foreach (var (name, value) in client)
        {
            if (KeptWhole.Contains(name)) result[name] = value?.DeepClone();
            else if (name == "jwks" && value is not null) AddItems(result, name, KeysOf(value), form == Form.Cut ? ItemsWhenCut : 0, cutText: false);
            else if (value is JsonArray items)
            {
                var keep = form == Form.Cut ? Math.Min(ItemsWhenCut, items.Count) : 0;
                if (keep > 0) result[name] = new JsonArray([.. items.Take(keep).Select(CutValue)]);
                if (items.Count > keep) result[name + "Omitted"] = items.Count - keep;
            }
            else result[name] = CutValue(value);
        }
        return result;
    }

    private enum Form { Whole, Cut, Counts }

    private static JsonObject Render(List<(string Name, Change Change)> fields, Form form)
    {
        var result = new JsonObject();
        foreach (var (name, change) in fields)
        {
            var node = new JsonObject();
            if (change.IsList)
            {
                var keep = form == Form.Whole ? int.MaxValue : form == Form.Cut ? ItemsWhenCut : 0;
                AddItems(node, "added", change.Added, KeptWhole.Contains(name) ? int.MaxValue : keep, form != Form.Whole);
                AddItems(node, "removed", change.Removed, keep, form != Form.Whole);
                if (change.Added.Count == 0 && change.Removed.Count == 0) node["reordered"] = true;
            }
            else if (form == Form.Counts) node["changed"] = true;
            else
            {
                node["from"] = form == Form.Cut ? CutValue(change.From) : change.From?.DeepClone();
                node["to"] = form == Form.Cut ? CutValue(change.To) : change.To?.DeepClone();
            }
            result[name] = node;
        }
        return result;
    }

    private static void AddItems(JsonObject node, string name, List<string> items, int keep, bool cutText)
    {
        if (items.Count == 0) return;
        var kept = items.Take(keep).Select(i => JsonValue.Create(cutText && keep != int.MaxValue ? AuditLog.Clean(i, TextWhenCut) : i)).ToList();
        if (kept.Count > 0) node[name] = new JsonArray([.. kept]);
        if (items.Count > kept.Count) node[name + "Omitted"] = items.Count - kept.Count;
    }

    private static JsonNode? CutValue(JsonNode? value) => value switch
    {
        JsonValue v when v.TryGetValue<string>(out var text) => JsonValue.Create(AuditLog.Clean(text, TextWhenCut)),
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, CutValue(p.Value)))),
        _ => value?.DeepClone(),
    };

    private static List<string> Items(JsonNode? list) =>
        list is JsonArray array ? array.Select(i => i is JsonValue value && value.TryGetValue<string>(out var s) ? s : i?.ToJsonString() ?? "null").ToList() : [];

    /// <summary>Each key of a JWK Set as "kid (thumbprint)": the RFC 7638 thumbprint, or the SHA-256 of its JSON when it has none.</summary>
    private static List<string> KeysOf(JsonNode? jwks)
    {
        if (jwks is not JsonObject set || set["keys"] is not JsonArray keys) return jwks is null ? [] : [Fingerprint(jwks.ToJsonString())];
        var result = new List<string>();
        foreach (var key in keys)
        {
            var json = key?.ToJsonString() ?? "null";
            string thumbprint;
            string? kid = null;
            try
            {
                var jwk = new JsonWebKey(json);
                kid = jwk.Kid;
                thumbprint = Base64UrlEncoder.Encode(jwk.ComputeJwkThumbprint());
            }
            catch (Exception ex) when (ex is ArgumentException or JsonException or FormatException or InvalidOperationException or NotSupportedException)
            {
                thumbprint = Fingerprint(json);
            }
            result.Add(kid is null ? thumbprint : $"{kid} ({thumbprint})");
        }
        return result;
    }

    private static string Fingerprint(string json) => Base64UrlEncoder.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(json)));

    private static int Length(JsonNode node) => node.ToJsonString(Json).Length;

    private sealed record Change(JsonNode? From, JsonNode? To)
    {
        public List<string> Added { get; private init; } = [];
        public List<string> Removed { get; private init; } = [];
        public bool IsList { get; private init; }

        public static Change OfLists(List<string> before, List<string> after) => new(null, null)
        {
            IsList = true,
            Added = after.Where(i => !before.Contains(i, StringComparer.Ordinal)).Distinct(StringComparer.Ordinal).ToList(),
            Removed = before.Where(i => !after.Contains(i, StringComparer.Ordinal)).Distinct(StringComparer.Ordinal).ToList(),
        };
    }
}
