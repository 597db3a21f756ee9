package store

import (
	"context"
	"fmt"
)

// SchemaVersion is the version schema.sql creates. Each later change of the schema
// appends a step to migrations and raises SchemaVersion by one; schema.sql is kept
// as the whole current schema for new databases.
const SchemaVersion = 3

// migrations[i] upgrades a database from version i+1 to i+2, so that
// SchemaVersion == len(migrations)+1 (a test holds this).
var migrations = []string{migrateEmerg, migrateWorkflow}

// migrate brings the database to version len(steps)+1: schema.sql on an empty
// file, then each missing step in its own transaction.
//
// It deliberately checks only what is cheap: that the file is an SQLite database
// (the header, read by user_version) and that its schema parses (sqlite_schema).
// A full PRAGMA quick_check reads every page: 4-5 s on a million tickets, in front
// of every start of a service that must answer within a second. The whole-file
// check runs instead on every backup (CheckFile), nightly and by hand.
func (s *Store) migrate(ctx context.Context, schema string, steps []string) error {
	var v int
	if err := s.w.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return fmt.Errorf("файл %s не открывается как база данных SQLite (повреждён или не тот файл: %v); восстановите базу из копии: ecoz restore ФАЙЛ", s.Path, err)
	}
	var n int
	if err := s.w.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&n); err != nil {
		return fmt.Errorf("база данных %s повреждена (%v); восстановите её из копии: ecoz restore ФАЙЛ", s.Path, err)
	}
	target := len(steps) + 1
	if v > target {
		return fmt.Errorf("база данных %s создана более новой версией ecoz (схема %d, эта программа знает до %d); установите новую версию программы", s.Path, v, target)
	}
	if v == target {
		return nil
	}
	if v == 0 {
		if n > 0 {
			return fmt.Errorf("файл %s — база данных SQLite, но не ecoz; укажите пустую папку через --data", s.Path)
		}
		return s.step(ctx, schema, target)
	}
	for ; v < target; v++ {
		if err := s.step(ctx, steps[v-1], v+1); err != nil {
			return err
		}
	}
	return nil
}

// step runs one schema change and records its version in the same transaction.
func (s *Store) step(ctx context.Context, sqlText string, version int) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, sqlText); err != nil {
		return fmt.Errorf("обновление схемы до версии %d не удалось: %w", version, err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", version)); err != nil {
		return err
	}
	return tx.Commit()
}
