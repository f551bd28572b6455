import { setupEmailRequest } from "../email-request.js";

setupEmailRequest("api/registrations");
