global using System.Net;
global using System.Net.Http.Json;
global using Sortie.Testing;
global using Xunit;
