using System.Buffers.Binary;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using Sortie.Data;

namespace Sortie.Runners;

/// <summary>
/// Opens an RDP connection far enough to learn what the server will do (MS-RDPBCGR 1.3.1.1: the X.224 connection
/// request and its negotiation, then the TLS handshake) and closes it. The server does this before every RDP
/// launch, from its own network, so that a session fails with a reason a user can read (unreachable, security
/// refused, certificate changed) rather than starting and dropping, and so that trust-on-first-use has a
/// certificate to record that xfreerdp is then made to insist on.
/// </summary>
public static class RdpProbe
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Throws <see cref="RunnerException"/> with the reason when the server cannot be used as configured.</summary>
    public static async Task<RdpProbeResult> ProbeAsync(string host, int port, RdpSecurity security, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(Timeout);
        var target = $"{host}:{port}";
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(host, port, limit.Token);
        }
        catch (SocketException e)
        {
            throw new RunnerException($"The remote desktop at {target} cannot be reached ({Describe(e)}).");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new RunnerException($"The remote desktop at {target} did not answer within {Timeout.TotalSeconds:0} s.");
        }

        var stream = client.GetStream();
        RdpProtocol selected;
        try
        {
            await stream.WriteAsync(ConnectionRequest(Requested(security)), limit.Token);
            selected = await ReadConfirmAsync(stream, security, target, limit.Token);
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or SocketException
                                      || e is OperationCanceledException && !ct.IsCancellationRequested)
        {
            throw new RunnerException($"{target} did not answer as a remote desktop (RDP) server.");
        }
        if (selected == RdpProtocol.Rdp) return new RdpProbeResult(selected, null);

        // TLS (alone, or under NLA's CredSSP) starts right after the confirm: the certificate is all that is wanted.
        string? fingerprint = null;
        await using var tls = new SslStream(stream, leaveInnerStreamOpen: true);
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = host,
                // Nothing is decided here: the certificate is only read, to be compared with the trusted one.
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    if (certificate is not null) fingerprint = Fingerprint(certificate.GetRawCertData());
                    return true;
                },
            }, limit.Token);
        }
        catch (Exception e) when (e is AuthenticationException or IOException
                                      || e is OperationCanceledException && !ct.IsCancellationRequested)
        {
            // An old server may speak a TLS this machine's OpenSSL refuses while xfreerdp accepts it; the caller
            // decides whether a certificate is needed.
            if (fingerprint is null) return new RdpProbeResult(selected, null);
        }
        return new RdpProbeResult(selected, fingerprint);
    }

    /// <summary>A certificate's SHA-256 as xfreerdp writes it: lower-case hex pairs joined by colons.</summary>
    public static string Fingerprint(byte[] der) => string.Join(':', SHA256.HashData(der).Select(b => b.ToString("x2")));

    /// <summary>What xfreerdp asks for under each security setting, so the probe sees what xfreerdp will get.</summary>
    private static RdpProtocol Requested(RdpSecurity security) => security switch
    {
        RdpSecurity.Nla => RdpProtocol.Ssl | RdpProtocol.Hybrid,
        RdpSecurity.Tls => RdpProtocol.Ssl,
        RdpSecurity.Rdp => RdpProtocol.Rdp,
        _ => RdpProtocol.Ssl | RdpProtocol.Hybrid,
    };

    /// <summary>TPKT + X.224 Connection Request + RDP_NEG_REQ (MS-RDPBCGR 2.2.1.1).</summary>
    private static byte[] ConnectionRequest(RdpProtocol requested)
    {
        var message = new byte[19];
        message[0] = 3;                                     // TPKT version
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), 19);
        message[4] = 14;                                    // X.224 length indicator: the rest of the TPDU
        message[5] = 0xE0;                                  // Connection Request
        message[11] = 1;                                    // RDP_NEG_REQ
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(13), 8);
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(15), (uint)requested);
        return message;
    }

    private static async Task<RdpProtocol> ReadConfirmAsync(Stream stream, RdpSecurity security, string target, CancellationToken ct)
    {
        var header = new byte[4];
        await stream.ReadExactlyAsync(header, ct);
        var length = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(2));
        if (header[0] != 3 || length is < 11 or > 512) throw new IOException("not a TPKT");
        var body = new byte[length - 4];
        await stream.ReadExactlyAsync(body, ct);
        if ((body[1] & 0xF0) != 0xD0) throw new IOException("not an X.224 Connection Confirm");
        if (body.Length < 15) return RdpProtocol.Rdp; // an old server that does not negotiate: legacy RDP security
        var value = BinaryPrimitives.ReadUInt32LittleEndian(body.AsSpan(11));
        return body[7] switch
        {
            2 => (RdpProtocol)value, // RDP_NEG_RSP: the selected protocol
            3 => throw new RunnerException(Refusal(value, security, target)), // RDP_NEG_FAILURE
            _ => throw new IOException("unknown negotiation answer"),
        };
    }

    /// <summary>RDP_NEG_FAILURE's codes, said against the app's setting (MS-RDPBCGR 2.2.1.2.2).</summary>
    private static string Refusal(uint code, RdpSecurity security, string target)
    {
        var setting = security.ToString().ToLowerInvariant();
        return code switch
        {
            1 => $"The remote desktop at {target} requires TLS security; the app's security is '{setting}'.",
            2 => $"The remote desktop at {target} does not allow TLS; set the app's security to 'rdp'.",
            3 => $"The remote desktop at {target} has no certificate for TLS; set the app's security to 'rdp'.",
            5 => $"The remote desktop at {target} requires NLA; set the app's security to 'nla' or 'any'.",
            6 => $"The remote desktop at {target} requires TLS with user authentication, which is not supported.",
            _ => $"The remote desktop at {target} refused the connection's security (negotiation failure {code}).",
        };
    }

    private static string Describe(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "unknown host",
        SocketError.HostUnreachable or SocketError.NetworkUnreachable => "no route to it",
        SocketError.TimedOut => "timed out",
        _ => e.Message,
    };
}
