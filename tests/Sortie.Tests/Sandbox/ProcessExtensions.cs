namespace Sortie.Tests.Sandbox;

internal static class ProcessExtensions
{
    public static int WaitForExitAndGetCode(this System.Diagnostics.Process process)
    {
        using (process)
        {
            process.WaitForExit();
            return process.ExitCode;
        }
    }
}
