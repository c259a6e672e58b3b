using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Sortie.Auth;

namespace Sortie.Ui;

/// <summary>
/// A page left open in another tab keeps its Blazor circuit, and the user it was opened for, after that browser login
/// ends (logout, a password change, the account deleted). So every action arriving on a circuit checks the login
/// first, as each HTTP request does; once it is gone the circuit ends, and the page's reload leads to the login form.
/// </summary>
public sealed class EndedLoginCircuits(AuthenticationStateProvider authentication, BrowserLogins logins) : CircuitHandler
{
    public override Func<CircuitInboundActivityContext, Task> CreateInboundActivityHandler(Func<CircuitInboundActivityContext, Task> next) =>
        async activity =>
        {
            var user = (await authentication.GetAuthenticationStateAsync()).User;
            if (user.Identity?.IsAuthenticated == true && !await logins.StillValidAsync(user, byCookie: true, CancellationToken.None))
                throw new InvalidOperationException("This page's browser login has ended (logged out): the circuit closes.");
            await next(activity);
        };
}
