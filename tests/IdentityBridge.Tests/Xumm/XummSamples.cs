namespace IdentityBridge.Tests.Xumm;

/// <summary>Answers shaped like the platform's, field for field.</summary>
internal static class XummSamples
{
    public const string ApiKey = "3f6a2c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b";
    public const string ApiSecret = "c5bc4ccc-28fa-4080-b702-0d3aac97b993";
    public const string BaseUrl = "http://127.0.0.1:5999/api/v1/platform";
    public const string PayloadUuid = "0fcc0e36-9d8c-4a3e-a0c4-5a8d5e0e3a6b";
    public const string Account = "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh";
    public const string UserToken = "691d5ae8-968b-44c8-8835-f25da1214f35";

    public const string PayloadCreated = """
        {
          "uuid": "0fcc0e36-9d8c-4a3e-a0c4-5a8d5e0e3a6b",
          "next": {
            "always": "https://xumm.app/sign/0fcc0e36-9d8c-4a3e-a0c4-5a8d5e0e3a6b",
            "no_push_msg_received": "https://xumm.app/sign/0fcc0e36-9d8c-4a3e-a0c4-5a8d5e0e3a6b/qr"
          },
          "refs": {
            "qr_png": "https://xumm.app/sign/0fcc0e36-9d8c-4a3e-a0c4-5a8d5e0e3a6b_q.png",
            "qr_matrix": "https://xumm.app/sign/0fcc0e36-9d8c-4a3e-a0c4-5a8d5e0e3a6b_q.json",
            "qr_uri_quality_opts": ["m", "q", "h"],
            "websocket_status": "wss://xumm.app/sign/0fcc0e36-9d8c-4a3e-a0c4-5a8d5e0e3a6b"
          },
          "pushed": true
        }
        """;

    public const string PayloadDetails = """
        {
          "meta": {
            "exists": true,
            "uuid": "0fcc0e36-9d8c-4a3e-a0c4-5a8d5e0e3a6b",
            "multisign": false,
            "submit": false,
            "destination": "",
            "resolved_destination": "",
            "resolved": true,
            "signed": true,
            "cancelled": false,
            "expired": false,
            "pushed": true,
            "app_opened": true,
            "opened_by_deeplink": false,
            "return_url_app": null,
            "return_url_web": "https://bridge.example/signin/return",
            "is_xapp": false,
            "signers": null
          },
          "application": {
            "name": "Identity Bridge",
            "description": "Enterprise sign-in",
            "disabled": 0,
            "uuidv4": "3f6a2c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b",
            "icon_url": "https://xumm-cdn.imgix.net/app-logo/3f6a2c1e.png",
            "issued_user_token": "691d5ae8-968b-44c8-8835-f25da1214f35"
          },
          "payload": {
            "tx_type": "SignIn",
            "tx_destination": "",
            "tx_destination_tag": null,
            "request_json": { "TransactionType": "SignIn" },
            "origintype": "QR",
            "signmethod": "BIOMETRIC",
            "created_at": "2025-06-01T11:59:30Z",
            "expires_at": "2025-06-02T11:59:30Z",
            "expires_in_seconds": 86370
          },
          "response": {
            "hex": "732102A1B2C3D474473045022100ABCDEF",
            "txid": "E7A7C1B5A62D4FA1B43AB5C3E2E0B3F1E3F2D9A6B0C4D1E2F3A4B5C6D7E8F9A0",
            "resolved_at": "2025-06-01T12:00:04.000Z",
            "dispatched_nodetype": null,
            "dispatched_to": "",
            "dispatched_result": "",
            "dispatched_to_node": false,
            "environment_nodeuri": "wss://xrplcluster.com",
            "environment_nodetype": "MAINNET",
            "environment_networkid": 0,
            "multisign_account": "",
            "account": "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh",
            "signer": "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh",
            "user": "a5f3b2c1-0000-4000-8000-000000000001",
            "approved_with": "BIOMETRIC"
          },
          "custom_meta": {
            "identifier": "login-42",
            "blob": { "flow": "oidc" },
            "instruction": "Sign in to Contoso"
          }
        }
        """;

    public const string PayloadCancelled = """
        {
          "result": { "cancelled": true, "reason": "OK" },
          "meta": {
            "exists": true, "uuid": "0fcc0e36-9d8c-4a3e-a0c4-5a8d5e0e3a6b", "multisign": false, "submit": false,
            "destination": "", "resolved_destination": "", "resolved": false, "signed": false, "cancelled": true,
            "expired": false, "pushed": false, "app_opened": false, "opened_by_deeplink": null,
            "return_url_app": null, "return_url_web": null, "is_xapp": false
          },
          "custom_meta": { "identifier": null, "blob": null, "instruction": null }
        }
        """;

    public const string XAppOttFlat = """
        {
          "version": "2.6.0",
          "locale": "en",
          "currency": "EUR",
          "style": "DARK",
          "nodetype": "TESTNET",
          "nodewss": "wss://s.altnet.rippletest.net:51233",
          "user": "a5f3b2c1-0000-4000-8000-000000000001",
          "user_device": { "currency": "EUR", "platform": "ios" },
          "account": "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh",
          "accounttype": "REGULAR",
          "accountaccess": "FULL",
          "account_info": {
            "account": "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh", "name": null, "domain": null, "blocked": false,
            "source": "", "kycApproved": false, "proSubscription": false
          },
          "origin": { "type": "EVENT_LIST", "data": { "payload": "0fcc0e36-9d8c-4a3e-a0c4-5a8d5e0e3a6b" } },
          "subscriptions": []
        }
        """;

    public const string PayloadNotFound = """
        { "error": { "reference": "d1b8e2c0-1b2a-4c3d-9e8f-7a6b5c4d3e2f", "code": 404 } }
        """;

    public const string ServerError = """
        { "error": { "reference": "5e1f0a3c-2b4d-4e6f-8a9b-0c1d2e3f4a5b", "code": 500 } }
        """;

    public static string XAppOttNested(string jwt) => $$"""
        {
          "ott": {
            "locale": "en", "style": "LIGHT", "nodetype": "MAINNET", "nodewss": "wss://xrplcluster.com",
            "network_id": 0, "user": "a5f3b2c1-0000-4000-8000-000000000001",
            "account": "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh", "accounttype": "REGULAR", "accountaccess": "FULL",
            "usertoken_uuidv4": "691d5ae8-968b-44c8-8835-f25da1214f35"
          },
          "app": { "name": "Identity Bridge" },
          "jwt": "{{jwt}}"
        }
        """;

    public const string UserTokens = """
        {
          "tokens": [
            { "user_token": "691d5ae8-968b-44c8-8835-f25da1214f35", "active": true, "issued": 1748779200, "expires": 1751371200 },
            { "user_token": "00000000-968b-44c8-8835-f25da1214f35", "active": false }
          ]
        }
        """;
}
