namespace Sortie.Recordings;

/// <summary>POST /api/sessions/{id}/recording: start (true) or stop (false) the session's recording.</summary>
public sealed record RecordingRequest(bool Enabled);
