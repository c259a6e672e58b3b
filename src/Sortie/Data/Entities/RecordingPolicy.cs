namespace Sortie.Data;

/// <summary>Whether an app's sessions are recorded (an admin's choice): never, at the owner's wish, or always.</summary>
public enum RecordingPolicy { Off, Optional, Always }
