using System.Reflection;
using Xunit.v3;

[assembly: Sortie.E2E.FailOnPageProblems]

namespace Sortie.E2E;

/// <summary>Fails a test whose pages showed <see cref="PageProblems"/>: applied to the whole assembly.</summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class FailOnPageProblemsAttribute : BeforeAfterTestAttribute
{
    public override void After(MethodInfo methodUnderTest, IXunitTest test)
    {
        // xunit calls this synchronously: the browser work runs on the thread pool, away from the test's context.
        var problems = Task.Run(() => PageProblems.EndAsync(test.UniqueID)).GetAwaiter().GetResult();
        if (problems.Count > 0)
            Assert.Fail($"The pages showed what a user would see broken:\n  {string.Join("\n  ", problems)}");
    }
}
