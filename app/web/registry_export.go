package web

import (
	"time"

	"github.com/ecoz/ecoz/app/export"
	"github.com/gofiber/fiber/v2"
)

// exportState reads the registry push job's state; s.ExportJob is nil when the
// job does not run in this process (tests), and then the stored progress shows.
func (s *Server) exportState(c *fiber.Ctx) (export.State, error) {
	return export.StateOf(c.UserContext(), s.Store, s.ExportJob)
}

// apiRegistryExport is the push job's state as JSON, for monitoring.
func (s *Server) apiRegistryExport(c *fiber.Ctx) error {
	st, err := s.exportState(c)
	if err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusOK, st)
}

// pageRegistryExport shows the administrator how the registry export goes.
func (s *Server) pageRegistryExport(c *fiber.Ctx) error {
	st, err := s.exportState(c)
	if err != nil {
		return err
	}
	return s.render(c, "admin_registry", fiber.Map{"Title": "Выгрузка в республиканский реестр", "S": st,
		"Behind": (time.Duration(st.BehindSeconds) * time.Second).String(), "Kicked": c.Query("kicked") == "1", "Running": s.ExportJob != nil})
}

// pageRegistryPush asks the job to push now rather than at its next tick.
func (s *Server) pageRegistryPush(c *fiber.Ctx) error {
	if s.ExportJob != nil {
		s.ExportJob.Kick()
	}
	return c.Redirect("/admin/registry?kicked=1", fiber.StatusSeeOther)
}
