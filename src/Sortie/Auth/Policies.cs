using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Identity;
using Sortie.Access;
using Sortie.Data;

namespace Sortie.Auth;

public static class Policies
{
    public const string Admin = "admin";
}
